"""Read cache: an unchanged file is not parsed again on a rerun.

SPEC (Performance): every office reruns many times, so the reader's per-file result is kept
in ``OUT/.cache/`` and reused when the same file comes back. An entry is found by

- the file's SHA-256 (computed from the bytes by ``discover`` in this run) and its path in the
  inbox: the cache is never trusted over the file itself;
- the run's *context*: the tool's version, every setting, the versions of the parsing
  libraries and a digest of the package's own source files, so a new version, a changed
  ``settings.toml`` or a changed reader invalidates every entry.

The cache is one file written atomically (temporary file, then rename) at the end of the
read stage: a header line (format, context digest, number of entries, CRC-32 and size of the
rest) and the results of every file as one column-wise batch (``pipeline/readbatch.py``,
pickled with equal texts as one object; loaded by an unpickler that refuses any class or
function), so a rerun of ten thousand files decodes one object instead of ten thousand. A
rerun's save shares the texts of the files it parsed only (the cached ones were shared when
they were stored) and shares all again once a tenth of the entries were stored that way. A file whose checksum, size or
shape does not hold is ignored as a whole (every file is parsed again). Only the entries of
files of the current run are written back, so entries whose files are gone are pruned and
the size stays bounded by the inbox (and by ``MAX_BYTES``). Results that depend on the
moment, not on the bytes (a worker that crashed or hit its time limit, a file that could not
be opened), are never stored. A cache that cannot be read or written never stops a run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import pickle
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

import pipeline
from pipeline import readbatch
from pipeline.config import Settings

log = logging.getLogger("pipeline")

CACHE_DIR = ".cache"  # under OUT
READ_CACHE_FILE = "read.cache"
OLD_CACHE_FILE = "read.jsonl"  # the one-line-per-file cache of earlier versions
FORMAT = "lianzheng-read-cache 2"
MAX_BYTES = 512 * 1024 * 1024  # entries beyond this are not stored
# a save shares the texts of its newly parsed entries only (the others were shared when they
# were stored), until more than this share of the entries was stored that way: then all again
RESHARE_FRACTION = 0.1
LIBRARIES = ("python-calamine", "openpyxl", "pandas", "olefile", "msoffcrypto-tool")
# outcomes that depend on the machine or the moment rather than on the file's bytes
TRANSIENT_REASONS = frozenset({"worker_crashed", "read_failed", "cannot_open"})
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


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain containers, text and numbers only: a cache file never names a class or
    a function, so one that does (tampered with) is refused instead of run."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the read cache")


def _checksum(payload: bytes) -> str:
    return f"{zlib.crc32(payload):08x}"


class ReadCache:
    """The reader's results of one run's files, loaded from and saved to ``folder``: one file,
    a header line (format, context, entries, checksum, size) and the results as one batch
    (``pipeline/readbatch.py``) with each file's key."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.path = folder / READ_CACHE_FILE
        self.context = context_digest(settings)
        self.batch: readbatch.Batch | None = None
        self.keys: list[str] = []
        self.position: dict[str, int] = {}  # key -> the file's position in ``batch``
        self.unshared = 0  # entries stored since texts were last shared over all of them
        self.hits = 0
        self.parsed = 0
        self.ignored = 0  # entries of a cache file that did not hold
        self._load()

    def key(self, sha256: object, rel: str) -> str | None:
        if not isinstance(sha256, str) or not sha256:
            return None
        return f"{sha256}\0{rel}"

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        header, _, payload = data.partition(b"\n")
        fields = header.split(b"\t")
        if len(fields) != 5 or fields[0] != FORMAT.encode():
            self.ignored = 1 if data else 0
            return
        _format, context, entries, checksum, size = fields
        n = 1
        try:
            n = int(entries)
            if context.decode("ascii") != self.context:
                return  # another version or other settings: everything is parsed again
            if int(size) != len(payload) or checksum.decode("ascii") != _checksum(payload):
                raise ValueError("checksum")
            stored = _PlainUnpickler(io.BytesIO(payload)).load()
            keys, batch, unshared = stored["keys"], stored["batch"], stored["unshared"]
            if not readbatch.valid(batch) or not isinstance(keys, list):
                raise ValueError("shape")
            if type(unshared) is not int or not 0 <= unshared <= n:
                raise ValueError("unshared")
            if len(keys) != n or len(batch["files"]["index"]) != n:
                raise ValueError("count")
        except Exception:  # noqa: BLE001 - any damage: the whole file is ignored
            self.ignored = max(1, n)
            return
        self.batch, self.keys, self.unshared = batch, keys, unshared
        self.position = {k: j for j, k in enumerate(keys)}

    def save(self, batch: readbatch.Batch, keys: list[str], fresh: list[int] | None = None) -> None:
        """Write this run's entries (and only them) atomically; skip when nothing changed.

        ``fresh``: the positions in ``batch`` of the entries parsed in this run (None: all);
        only their texts are shared, unless too many entries were stored that way."""
        if keys == self.keys and not self.ignored and not self.parsed:
            return
        fresh = list(range(len(keys))) if fresh is None else fresh
        unshared = min(len(keys), self.unshared + len(fresh))
        if unshared > RESHARE_FRACTION * len(keys):
            batch, unshared = readbatch.shared(batch), 0
        elif fresh:
            readbatch.shared(batch, fresh)  # in place: the same values, fewer objects
        stored = {"keys": keys, "batch": batch, "unshared": unshared}
        payload = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
        if len(payload) > MAX_BYTES:
            log.warning("read cache not saved: %d MiB is over its limit", len(payload) >> 20)
            return
        header = "\t".join(
            (FORMAT, self.context, str(len(keys)), _checksum(payload), str(len(payload)))
        ).encode()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                fh.write(header + b"\n")
                fh.write(payload)
            tmp.replace(self.path)
        except OSError as exc:
            log.warning("read cache not saved (%s): %s", self.path, exc)
            tmp.unlink(missing_ok=True)
        (self.path.parent / OLD_CACHE_FILE).unlink(missing_ok=True)

    def stats(self) -> dict[str, int]:
        return {"hits": self.hits, "parsed": self.parsed, "ignored": self.ignored}


def split_tasks(
    cache: ReadCache, files: pd.DataFrame, tasks: list[tuple[int, str, str]]
) -> tuple[list[tuple[int, str, str]], dict[int, str | None], readbatch.Batch | None]:
    """(tasks still to parse, every task's key by file index, the cached results of the
    others as one batch with this run's file indices)."""
    sha = files["sha256"].tolist()
    todo, keys = [], {}
    hit_pos, hit_index = [], []
    position = cache.position
    for task in tasks:
        i, _path, rel = task
        key = keys[i] = cache.key(sha[i], rel)
        j = position.get(key) if key is not None else None
        if j is None:
            todo.append(task)
        else:
            hit_pos.append(j)
            hit_index.append(i)
    cache.hits = len(hit_pos)
    if not hit_pos or cache.batch is None:
        return todo, keys, None
    hits = readbatch.take(cache.batch, hit_pos)
    hits["files"]["index"] = hit_index
    return todo, keys, hits


def store(cache: ReadCache, keys: dict[int, str | None], batch: readbatch.Batch) -> None:
    """Keep the results of this run's files (``batch``, in file order) for the next run:
    not those without a key nor those that depend on the moment (TRANSIENT_REASONS)."""
    fl = batch["files"]
    cache.parsed = len(fl["index"]) - cache.hits
    pick, kept, fresh = [], [], []
    position = cache.position
    for j, (i, reason) in enumerate(zip(fl["index"], fl["reason"], strict=True)):
        key = keys.get(i)
        if key is None or reason in TRANSIENT_REASONS:
            continue
        if key not in position:
            fresh.append(len(pick))
        pick.append(j)
        kept.append(key)
    stored = batch if len(pick) == len(fl["index"]) else readbatch.take(batch, pick)
    cache.save(stored, kept, fresh)
    log.info("read cache: %s", cache.stats())
