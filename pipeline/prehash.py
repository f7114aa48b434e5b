"""Hash the inbox's files while the program is still starting.

``discover`` needs every file's SHA-256 (the read cache's key, and how exact duplicates are
found); reading and hashing 10,000 forms costs ~0.4 CPU s, in threads that release the GIL.
Until then the program spends ~0.5 s importing pandas, pandera and the writers, on one core
while the other is idle. ``start`` is called by the command line before those imports and hashes
the inbox's plain files on two daemon threads; ``discover`` takes a result only when the
file's ``lstat`` (size, modification and change time, inode) is the one seen when it was
hashed, and hashes everything else itself, so the files are never trusted over what they hold
now. Only this module's standard-library imports are needed before the threads start.

What is read is what ``discover`` would read anyway: regular files found under the inbox
without following any link (a symlink, to a file or a folder, is left to ``discover``'s
rules), opened with ``O_NOFOLLOW`` where the system has it, and none larger than
``MAX_BYTES`` (the default file-size limit; ``discover`` hashes a larger one itself when the
settings allow it). Lock files (``~$…``) and empty files are skipped as ``discover`` skips them,
and so are files written in the last two seconds (they may still be being written).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # config's default limits.max_file_mb
HEAD_BYTES = 4096  # workbook.sniff.TEXT_HEAD_BYTES (checked by a test)
THREADS = 2
# a file written this shortly before the start may still be being written, within one tick of
# the file system's clock: its stamp could look unchanged after one more write, so it is left
# to discover
RECENT_NS = 2_000_000_000
LOCK_PREFIX = "~$"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)

Stamp = tuple[int, int, int, int, int]
HashResult = tuple[str, bytes] | OSError


def stamp(st: os.stat_result) -> Stamp:
    """What must be unchanged for a hash taken earlier to hold for the file now."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def hash_file(path: str, size: int = 0, flags: int = 0) -> tuple[str, bytes]:
    """(sha256 hex, first ``HEAD_BYTES`` bytes) of the file at ``path``, read to its end
    whatever it holds now (``size``: what stat said, the size of the first read)."""
    fd = os.open(path, _OPEN_FLAGS | flags)
    try:
        # a regular file gives fewer bytes than asked only at its end: one read, usually
        data = os.read(fd, size + 1)
        if len(data) > size:
            parts = [data]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return hashlib.sha256(data).hexdigest(), data[:HEAD_BYTES]


class _Prehash:
    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        self.results: dict[str, tuple[Stamp, HashResult]] = {}
        self._todo: list[tuple[str, Stamp]] = []
        self._next = 0
        self._lock = threading.Lock()
        self._walked = threading.Event()
        self._threads = [
            threading.Thread(target=self._work, args=(i == 0,), name=f"prehash-{i}", daemon=True)
            for i in range(THREADS)
        ]
        for thread in self._threads:
            thread.start()

    def _walk(self) -> None:
        todo = self._todo
        recent = time.time_ns() - RECENT_NS
        try:
            for dirpath, _dirnames, filenames in os.walk(self.inbox, followlinks=False):
                sep = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
                for name in filenames:
                    if name.startswith(LOCK_PREFIX):
                        continue
                    path = sep + name
                    try:
                        st = os.lstat(path)
                    except OSError:
                        continue
                    if (
                        stat.S_ISREG(st.st_mode)
                        and 0 < st.st_size <= MAX_BYTES
                        and max(st.st_mtime_ns, st.st_ctime_ns) < recent
                    ):
                        todo.append((path, stamp(st)))
        finally:
            self._walked.set()

    def _work(self, walker: bool) -> None:
        if walker:
            self._walk()
        self._walked.wait()
        nofollow = getattr(os, "O_NOFOLLOW", 0)
        while True:
            with self._lock:
                i = self._next
                self._next += 1
            if i >= len(self._todo):
                return
            path, seen = self._todo[i]
            try:
                hashed: HashResult = hash_file(path, seen[0], nofollow)
            except OSError as exc:
                hashed = exc
            self.results[path] = (seen, hashed)

    def wait(self) -> dict[str, tuple[Stamp, HashResult]]:
        for thread in self._threads:
            thread.join()
        return self.results


_running: _Prehash | None = None


def start(inbox: Path) -> None:
    """Begin hashing the files under ``inbox`` in the background (once per process; nothing
    when ``inbox`` is not a folder or no thread can be started)."""
    global _running
    if _running is not None:
        return
    try:
        if not os.path.isdir(inbox):
            return
        _running = _Prehash(Path(inbox))
    except (OSError, RuntimeError):  # RuntimeError: no thread could be started
        _running = None


def take(inbox: Path) -> dict[str, tuple[Stamp, HashResult]]:
    """The hashes taken for ``inbox`` (path string as ``os.walk`` gives it -> (stamp at the
    time, result)), once, after the threads are done; empty when none were taken for it."""
    global _running
    running, _running = _running, None
    if running is None or running.inbox != Path(inbox):
        return {}
    return running.wait()
