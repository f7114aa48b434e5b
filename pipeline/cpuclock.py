"""CPU seconds of this process and of the processes it started, read at each stage's start
and end: ``summary.json``'s ``stage_cpu`` (and ``make bench``'s "where the time goes") says
per stage how much ran in the main process and how much in its workers.

The workers' share counts every descendant: alive ones from /proc (their own time plus that
of the children they waited for: the fork server's section workers), ended ones through the
kernel's account of waited-for children (``os.times``). Where there is no /proc (Windows,
macOS) only the ended children count; the figures are then marked ``"workers_exact": false``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
try:
    _TICKS = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):  # not a POSIX system
    _TICKS = 100.0


def has_proc() -> bool:
    return (PROC / "self" / "stat").exists()


def _stat_fields(text: bytes) -> list[bytes]:
    # the command name may hold spaces or parentheses: the fields follow the last ')'
    return text[text.rfind(b")") + 2 :].split()


def _children(pid: int) -> list[int] | None:
    """The direct children of ``pid`` from /proc/PID/task/*/children (None when the kernel
    does not offer that file: then every process's parent is looked up)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                found.extend(int(v) for v in fh.read().split())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            continue
    return found


def _all_children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    try:
        entries = os.scandir(PROC)
    except OSError:
        return children
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    ppid = int(_stat_fields(fh.read())[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def _cpu_of(pid: int) -> float:
    """utime + stime + cutime + cstime of ``pid`` in seconds (0 when it has just ended)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = _stat_fields(fh.read())
        # stat(5) fields 14-17 (utime stime cutime cstime); the list starts at field 3
        return sum(int(v) for v in fields[11:15]) / _TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


def _alive_descendants_cpu(root: int) -> float:
    """The CPU seconds of every alive process below ``root`` (with their waited-for ones)."""
    table: dict[int, list[int]] | None = None
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid != root:
            total += _cpu_of(pid)
        kids = _children(pid) if table is None else table.get(pid, [])
        if kids is None:  # no children files: look every process's parent up, once
            table = _all_children()
            kids = table.get(pid, [])
        todo.extend(kids)
    return total


def tree_cpu() -> tuple[float, float]:
    """(CPU seconds of this process so far, CPU seconds of the processes it started so far)."""
    t = os.times()
    main = t.user + t.system
    ended = t.children_user + t.children_system
    if not has_proc():
        return main, ended
    return main, ended + _alive_descendants_cpu(os.getpid())


class StageClock:
    """``start(name)`` / ``stop(name)`` around a stage; ``figures`` maps each stage to its
    ``{"main": s, "workers": s}``. ``"start"`` is what ran before the first stage (the
    interpreter, the imports, the settings and the roster)."""

    def __init__(self) -> None:
        self.figures: dict[str, dict[str, float]] = {}
        self._open: dict[str, tuple[float, float]] = {}

    def start(self, name: str) -> None:
        now = tree_cpu()
        if not self.figures and not self._open:
            self.figures["start"] = {"main": round(now[0], 3), "workers": round(now[1], 3)}
        self._open[name] = now

    def stop(self, name: str) -> None:
        begun = self._open.pop(name, None)
        if begun is None:
            return
        main, workers = tree_cpu()
        self.figures[name] = {
            "main": round(main - begun[0], 3),
            "workers": round(max(workers - begun[1], 0.0), 3),
        }

    def summary(self) -> dict[str, object]:
        return {**self.figures, "workers_exact": has_proc()}
