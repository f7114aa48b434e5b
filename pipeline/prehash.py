"""Hash the inbox's files while the program is still starting.

``discover`` needs every file's SHA-256 (the read cache's key, and how exact duplicates are
found); reading and hashing 10,000 forms costs ~0.5 s. Until then the program spends over a
second importing pandas, pandera and the writers, on one core while the other is idle.
``start`` is called by the command line before those imports: it starts a small child
process (this module, standard library only) that walks the inbox and hashes its plain files
on the idle core. Threads in this process would not do: every read and digest hands the GIL
back to the importing thread and waits up to a switch interval to get it again, so they
hashed a quarter of the files by the time the imports were done (measured).
``discover`` then takes a result only when the file's ``lstat`` (size, modification and
change time, inode, device) is the one seen when it was hashed, and hashes everything else
itself, so the files are never trusted over what they hold now. When the child cannot be
started, fails or is slow, ``take`` gives nothing and ``discover`` hashes as before.

What the child reads is what ``discover`` would read anyway: regular files found under the
inbox without following any link (a symlink, to a file or a folder, is left to ``discover``'s
rules), opened with ``O_NOFOLLOW`` where the system has it, none larger than ``MAX_BYTES`` (the
default file-size limit; ``discover`` hashes a larger one itself when the settings allow it).
Lock files (``~$…``) and empty files are skipped as ``discover`` skips them, and so are files
written in the two seconds before the start (they may still be being written).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # the default limits.max_file_mb (config takes it from here)
HEAD_BYTES = 4096  # workbook.sniff.TEXT_HEAD_BYTES (checked by a test)
LOCK_PREFIX = "~$"
# a file written this shortly before the start may still be being written, within one tick of
# the file system's clock: its stamp could look unchanged after one more write, so it is left
# to discover
RECENT_NS = 2_000_000_000
WAIT_SECONDS = 60.0  # the longest ``take`` waits for the child once discover needs it
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)
CHILD_PROGRAM = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from pipeline.prehash import main; main(sys.argv[2:])"
)

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


def hash_inbox(inbox: str, recent: int) -> dict[str, tuple[Stamp, str, bytes]]:
    """Path string (as ``os.walk`` gives it) -> (stamp, sha256 hex, head) of every plain file
    under ``inbox`` that ``discover`` would hash, none changed at or after ``recent`` (ns since
    the epoch): the child's work."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    out: dict[str, tuple[Stamp, str, bytes]] = {}
    for dirpath, _dirnames, filenames in os.walk(inbox, followlinks=False):
        sep = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        for name in filenames:
            if name.startswith(LOCK_PREFIX):
                continue
            path = sep + name
            try:
                st = os.lstat(path)
                if not (
                    stat.S_ISREG(st.st_mode)
                    and 0 < st.st_size <= MAX_BYTES
                    and max(st.st_mtime_ns, st.st_ctime_ns) < recent
                ):
                    continue
                digest, head = hash_file(path, st.st_size, nofollow)
            except OSError:
                continue  # discover reads it again and reports what it finds
            out[path] = (stamp(st), digest, head)
    return out


class _Child:
    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        self.data = b""
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-I",  # neither PYTHON* variables nor the user's site: only this package
                "-c",
                CHILD_PROGRAM,
                _PACKAGE_PARENT,
                os.fspath(inbox),
                str(time.time_ns() - RECENT_NS),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        # the pipe is emptied as the child writes, so it never blocks on a full pipe
        self.reader = threading.Thread(target=self._read, name="prehash-pipe", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            self.data = self.proc.stdout.read()
        except (OSError, ValueError):
            self.data = b""

    def wait(self) -> dict[str, tuple[Stamp, HashResult]]:
        self.reader.join(WAIT_SECONDS)
        try:
            code = self.proc.wait(1 if self.reader.is_alive() else WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        if code != 0 or self.reader.is_alive():
            self.proc.kill()
            return {}
        try:
            found = marshal.loads(self.data)
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(found, dict):
            return {}
        return {path: (seen, (digest, head)) for path, (seen, digest, head) in found.items()}


_running: _Child | None = None


def start(inbox: Path) -> None:
    """Begin hashing the files under ``inbox`` in a child process (once per process; nothing
    when ``inbox`` is not a folder or no process can be started)."""
    global _running
    if _running is not None:
        return
    try:
        if not os.path.isdir(inbox):
            return
        _running = _Child(Path(inbox))
    except (OSError, RuntimeError, ValueError):  # RuntimeError: no thread could be started
        _running = None


def take(inbox: Path) -> dict[str, tuple[Stamp, HashResult]]:
    """The hashes taken for ``inbox`` (path string as ``os.walk`` gives it -> (stamp at the
    time, result)), once, after the child is done; empty when none were taken for it."""
    global _running
    running, _running = _running, None
    if running is None:
        return {}
    if running.inbox != Path(inbox):
        running.proc.kill()
        return {}
    return running.wait()


def main(argv: list[str]) -> None:
    """The child: hash ``argv[0]``'s files changed before ``argv[1]`` (ns) to stdout."""
    found = hash_inbox(argv[0], int(argv[1]))
    sys.stdout.buffer.write(marshal.dumps(found))
    sys.stdout.buffer.flush()
