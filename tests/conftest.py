"""Shared fixtures: a generated demo body processed once per test session."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main

# Rendering the archive's PDF through LibreOffice costs seconds per run: off in the suite,
# except where a test turns it on (tests/test_print.py renders once, on purpose).
os.environ.setdefault("LIANZHENG_PDF", "0")


RUN_TIME = "2026-04-01T09:00:00"


@dataclass
class DemoRun:
    root: Path
    inbox: Path
    config: Path
    out: Path
    manifest: dict
    exit_code: int
    input_hashes: dict[str, str]


def hash_tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def process_cli(inbox: Path, config: Path, out: Path, run_time: str = RUN_TIME) -> int:
    """The real ``process`` command, in-process, with a fixed run time; its exit status."""
    args = ["process", "--inbox", str(inbox), "--config", str(config), "--out", str(out)]
    return main([*args, "--no-progress", "--run-time", run_time])


def make_demo(root: Path, people: int, seed: int, error_rate: float) -> tuple[Path, dict]:
    import json

    from pipeline.demo import write_demo

    write_demo(root, people=people, seed=seed, error_rate=error_rate)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return root, manifest


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """A 60-person synthetic body with 10% of forms broken, processed through the real CLI."""
    root = tmp_path_factory.mktemp("demo")
    _, manifest = make_demo(root, people=60, seed=11, error_rate=0.1)
    inbox, config, out = root / "inbox", root / "config", root / "out"
    before = hash_tree(inbox)
    code = process_cli(inbox, config, out)
    return DemoRun(root, inbox, config, out, manifest, code, before)
