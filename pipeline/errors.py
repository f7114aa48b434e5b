"""Exceptions that stop a run before it starts. User mistakes in forms are issue rows, not these."""

from __future__ import annotations


class PipelineError(Exception):
    "Raised when a run cannot start; the message is Chinese and says how to fix it."


class ConfigError(PipelineError):
    "Raised when settings.toml or roster.xlsx is missing, unreadable or invalid."


class AccountingError(PipelineError):
    "Raised when the run's counts do not add up (a row or file would be lost): a bug, never user error."
