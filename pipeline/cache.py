"""Read cache: an unchanged file is not parsed again on a rerun.

SPEC (Performance): every office reruns many times, so the reader's per-file result is kept
in ``OUT/.cache/`` and reused when the same file comes back. An entry is found by

- the file's SHA-256 (computed from the bytes by ``discover`` in this run) and its path in the
  inbox: the cache is never trusted over the file itself;
- the run's *context*: the tool's version, every setting, the versions of the parsing
  libraries and a digest of the package's own source files, so a new version, a changed
  ``settings.toml`` or a changed reader invalidates every entry.

The cache is one JSON-lines file written atomically (temporary file, then rename) at the end
of the read stage. Each line is ``key<TAB>checksum<TAB>json``; a line whose checksum or JSON
does not hold is ignored (that file is simply parsed again). Only the entries of files of
the current run are written back, so entries whose files are gone are pruned and the size
stays bounded by the inbox (and by ``MAX_BYTES``). Results that depend on the moment, not on
the bytes (a worker that crashed or hit its time limit, a file that could not be opened), are
never stored. A cache that cannot be read or written never stops a run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

import pipeline
from pipeline.config import Settings

log = logging.getLogger("pipeline")

CACHE_DIR = ".cache"  # under OUT
READ_CACHE_FILE = "read.jsonl"
FORMAT = "lianzheng-read-cache 1"
MAX_BYTES = 512 * 1024 * 1024  # entries beyond this are not stored
LIBRARIES = ("python-calamine", "openpyxl", "pandas", "olefile", "msoffcrypto-tool")
# outcomes that depend on the machine or the moment rather than on the file's bytes
TRANSIENT_REASONS = frozenset({"worker_crashed", "read_failed"})
PACKAGE_DIR = Path(pipeline.__file__).resolve().parent


def _library_versions() -> dict[str, str]:
    out = {}
    for dist in LIBRARIES:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "-"
    return out


def source_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the package's Python sources (paths and bytes, in sorted order)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def context_digest(settings: Settings) -> str:
    """What every cached result depends on besides the file: version, settings, code."""
    context = {
        "format": FORMAT,
        "version": pipeline.__version__,
        "settings": dataclasses.asdict(settings),
        "libraries": _library_versions(),
        "sources": source_digest(),
    }
    text = json.dumps(context, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PAYLOAD_KEY = "_cache_payload"  # a worker's result may carry its encoded entry under this key
_NOT_ENCODED = object()


def payload_of(result: dict[str, Any]) -> bytes | None:
    """A result as the cache stores it (JSON); None when JSON cannot hold it. Workers call
    this, so the main process does not encode every file's result itself."""
    try:
        return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return None


def _checksum(payload: bytes) -> str:
    return f"{zlib.crc32(payload):08x}"


class ReadCache:
    """The reader's results of one run's files, loaded from and saved to ``folder``."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.path = folder / READ_CACHE_FILE
        self.context = context_digest(settings)
        self.lines: dict[str, bytes] = {}  # key -> the stored line (json payload, checksum)
        self.hits = 0
        self.parsed = 0
        self.ignored = 0  # corrupt lines
        self._keep: dict[str, bytes] = {}
        self._load()

    def key(self, sha256: object, rel: str) -> str | None:
        if not isinstance(sha256, str) or not sha256:
            return None
        text = f"{self.context}\0{sha256}\0{rel}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        for line in data.split(b"\n"):
            if not line:
                continue
            parts = line.split(b"\t", 2)
            if len(parts) != 3:
                self.ignored += 1
                continue
            self.lines[parts[0].decode("ascii", "replace")] = line

    def get(self, key: str | None) -> dict[str, Any] | None:
        """The stored result for ``key``; None when absent or the entry does not hold."""
        line = self.lines.get(key) if key else None
        if line is None:
            return None
        _key, checksum, payload = line.split(b"\t", 2)
        try:
            if checksum.decode("ascii") != _checksum(payload):
                raise ValueError("checksum")
            result = json.loads(payload)
            if not isinstance(result, dict) or not {"status", "meta", "issues"} <= set(result):
                raise ValueError("shape")
        except (ValueError, UnicodeDecodeError):
            self.ignored += 1
            return None
        self._keep[key] = line
        self.hits += 1
        return result

    def put(self, key: str | None, result: dict[str, Any]) -> None:
        """Keep ``result`` for the next run; its entry was encoded by the worker that read it
        when it carries one (``PAYLOAD_KEY``, taken out here)."""
        self.parsed += 1
        encoded = result.pop(PAYLOAD_KEY, _NOT_ENCODED)
        if key is None or result.get("reason") in TRANSIENT_REASONS:
            return
        payload = payload_of(result) if encoded is _NOT_ENCODED else encoded
        if payload is None:  # a value JSON cannot hold: parse it again next time
            return
        self._keep[key] = b"\t".join((key.encode(), _checksum(payload).encode(), payload))

    def save(self) -> None:
        """Write this run's entries (and only them) atomically; skip when nothing changed."""
        if self._keep.keys() == self.lines.keys() and not self.ignored:
            return
        out, total = [], 0
        for line in self._keep.values():
            total += len(line) + 1
            if total > MAX_BYTES:
                break
            out.append(line)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(b"\n".join(out) + b"\n" if out else b"")
            tmp.replace(self.path)
        except OSError as exc:
            log.warning("read cache not saved (%s): %s", self.path, exc)
            tmp.unlink(missing_ok=True)

    def stats(self) -> dict[str, int]:
        return {"hits": self.hits, "parsed": self.parsed, "ignored": self.ignored}


def split_tasks(
    cache: ReadCache,
    files: pd.DataFrame,
    tasks: list[tuple[int, str, str]],
    results: dict[int, dict[str, Any]],
) -> tuple[list[tuple[int, str, str]], dict[int, str | None]]:
    """Put cached results into ``results``; return (tasks still to parse, their keys)."""
    sha = files["sha256"].tolist()
    todo, keys = [], {}
    for task in tasks:
        i, _path, rel = task
        key = cache.key(sha[i], rel)
        hit = cache.get(key)
        if hit is not None:
            results[i] = hit
        else:
            todo.append(task)
            keys[i] = key
    return todo, keys


def store(
    cache: ReadCache, keys: dict[int, str | None], results: dict[int, dict[str, Any]]
) -> None:
    """Store the freshly parsed results and write the cache file."""
    for i, key in keys.items():
        if i in results:
            cache.put(key, results[i])
    cache.save()
    log.info("read cache: %s", cache.stats())
