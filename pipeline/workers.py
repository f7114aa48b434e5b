"""One capped worker pool for the stages that touch users' files (reading, feedback copies).

A hostile file that still makes a parser allocate without bound, hang or crash costs only
itself: each worker process

- has its address space capped (what it has after start-up plus the memory budget), so a
  runaway allocation ends the worker, not the machine;
- dies with the run (Linux ``PR_SET_PDEATHSIG``): a run killed with ``kill -9`` leaves no
  orphaned worker holding memory;
- can freeze the objects inherited from the parent out of the garbage collector;
- can start fresh (``fresh=True``: a fork server's children, or spawned), so a pool started
  when this process holds the whole run's frames does not hold a copy of them (forked
  workers share the parent's pages until either side writes to them, and the parent keeps
  writing: its refcounts and allocations unshare the pages, doubling the memory).

``run_chunks`` maps a function over tasks in chunks with a time limit per chunk; a chunk
whose worker dies, hangs or cannot send its result back is retried task by task in a fresh
single-worker pool, and only the culprit gets a failure result (``on_failure``).
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import context as mp_context
from typing import Any

log = logging.getLogger("pipeline.workers")

PR_SET_PDEATHSIG = 1  # linux/prctl.h
MEMORY_SIGNALS = {6, 9}  # SIGABRT: a Rust allocation failure; SIGKILL: the OOM killer
MAX_CHUNK = 32  # tasks per worker call


def worker_count(configured: int, jobs: int) -> int:
    """Workers for ``jobs`` tasks: the configured number (0 = one per core), at most one per
    task, at least one."""
    return max(1, min(configured or os.cpu_count() or 1, jobs))


def virtual_size() -> int:
    """This process's address-space size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


_TRIM: list[Callable[[int], int] | None] = []  # glibc's malloc_trim, once looked up


def return_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). The middle's frames come and go through the heap, and glibc keeps what they
    freed resident, scattered where later allocations do not reuse it: at 20,000 forms
    ~160 MiB of this process at the start of the write stage (0.05 s)."""
    if not _TRIM:
        trim = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                trim = ctypes.CDLL(None).malloc_trim  # absent outside glibc (musl)
                trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
            except (OSError, AttributeError):
                trim = None
        _TRIM.append(trim)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def die_with_parent(parent: int) -> None:
    """On Linux the kernel kills this worker when the process that started it ends, so a run
    killed with ``kill -9`` leaves no orphaned worker holding memory (elsewhere the pool's
    own shutdown ends the workers)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the pool's shutdown still applies
            pass
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def die_with_run(run: int) -> None:
    """End this worker when process ``run`` ends, whoever started the worker: a fork
    server's child cannot use ``PR_SET_PDEATHSIG`` (its parent is the server, and the server
    lives as long as any of its children). A daemon thread waits on a pidfd of ``run``
    (Linux), elsewhere it polls."""
    import threading

    def watch() -> None:
        try:
            fd = os.pidfd_open(run)  # type: ignore[attr-defined]
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):  # no pidfd: poll
            while True:
                try:
                    os.kill(run, 0)
                except ProcessLookupError:
                    os._exit(1)
                except OSError:
                    pass
                time.sleep(0.5)
        import select

        select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="die-with-run", daemon=True).start()


def cap_memory(memory_bytes: int) -> None:
    """Cap the address space: what the process has now plus ``memory_bytes``."""
    if not memory_bytes:
        return
    try:
        import resource
    except ImportError:  # not on POSIX: no cap, the pre-scan still applies
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = virtual_size() + memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):
        return


def init_worker(
    memory_bytes: int, parent: int = 0, freeze_gc: bool = False, quiet: bool = False
) -> None:
    """A worker's start: die with ``parent`` (the run; when it is not this process's parent,
    a fork server is, and the worker watches the run instead); freeze the inherited objects
    out of the garbage collector; with ``quiet``, send stderr to /dev/null (a parser that
    runs out of memory aborts with a Rust backtrace: keep the terminal clean); cap the memory
    last."""
    if parent and parent == os.getppid():
        die_with_parent(parent)
    elif parent:  # a fork server's child, or the run has already ended
        die_with_run(parent)
    if freeze_gc:
        import gc

        gc.freeze()
    if quiet:
        import faulthandler

        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    cap_memory(memory_bytes)


def new_pool(
    workers: int,
    memory_bytes: int,
    *,
    freeze_gc: bool = False,
    quiet: bool = False,
    fresh: bool = False,
    preload: Sequence[str] = (),
) -> ProcessPoolExecutor:
    """A pool of ``workers`` capped processes: forked where the platform can, or with
    ``fresh`` started from a fresh interpreter (``fresh_context``; ``preload``: the modules
    its fork server imports once for all its workers). Processes start on first use."""
    import multiprocessing as mp

    if fresh:
        ctx: Any = fresh_context(preload)
    else:
        # without fork (Windows) the workers are spawned, as fresh ones: they do not re-run
        # this process's main module (the command's, which imports pandas and every stage)
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else fresh_context()
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=init_worker,
        initargs=(memory_bytes, os.getpid(), freeze_gc, quiet),
    )


FRESH_NAME = "lianzheng-fresh-"  # the name of every process a fresh context starts


class _FreshName:
    """Names the process FRESH_NAME… (see ``_guard_main``)."""

    name: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = FRESH_NAME + self.name


class FreshSpawnProcess(_FreshName, mp_context.SpawnProcess):
    """A spawned process of a fresh context."""


class FreshSpawnContext(mp_context.SpawnContext):
    Process = FreshSpawnProcess


if hasattr(mp_context, "ForkServerProcess"):  # POSIX

    class FreshForkServerProcess(_FreshName, mp_context.ForkServerProcess):
        """A fork server's child of a fresh context."""

    class FreshForkServerContext(mp_context.ForkServerContext):
        Process = FreshForkServerProcess


def fresh_context(preload: Sequence[str] = ()) -> Any:
    """A multiprocessing context whose processes start from a fresh interpreter and share
    nothing with this one: children of a fork server (itself started fresh, importing
    ``preload`` once, so its children start in milliseconds), or spawned where there is no
    fork server. Unlike multiprocessing's default, they do not re-run this process's main
    script: a run started from a script without a ``__main__`` guard (a profiling script)
    would run again in every worker."""
    return FreshForkServerContext() if _fork_server(preload) else FreshSpawnContext()


def prestart_fresh(preload: Sequence[str] = ()) -> None:
    """Start the fork server of fresh pools now, importing ``preload``, without waiting for
    it: a run calls this when one core is idle (the serial middle), so the server's imports
    are done by the time its pool is first used. Nothing to do where there is no fork server
    (spawned workers start from nothing anyway)."""
    from multiprocessing import forkserver

    if _fork_server(preload):
        forkserver.ensure_running()


def _fork_server(preload: Sequence[str]) -> bool:
    """Make ready what fresh processes start from; True where that is a fork server (which
    imports ``preload`` when it starts), False where they are spawned."""
    import multiprocessing as mp

    _guard_main()
    if "forkserver" not in mp.get_all_start_methods() or not hasattr(
        mp_context, "ForkServerProcess"
    ):
        return False
    if preload:
        mp.set_forkserver_preload(list(preload))  # only until the server has started
    return True


def _guard_main() -> None:
    """Leave the parent's main module out of what a fresh process prepares itself from,
    for the processes a fresh context names (FRESH_NAME): our workers need only modules."""
    from multiprocessing import spawn

    real = spawn.get_preparation_data
    if getattr(real, "lianzheng_guard", False):
        return

    def get_preparation_data(name: str) -> dict[str, Any]:
        data = real(name)
        if str(name).startswith(FRESH_NAME):
            data.pop("init_main_from_name", None)
            data.pop("init_main_from_path", None)
        return data

    get_preparation_data.lianzheng_guard = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = get_preparation_data


def kill(pool: ProcessPoolExecutor) -> None:
    """End a pool's processes now (a hung or broken pool), then shut it down."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(timeout=5)


@dataclass
class Failure:
    """Why a task has no result: its worker hit the time limit, died (exit codes: a negative
    code is the signal that ended it), or the result could not be sent back."""

    kind: str  # 'timeout' | 'died' | 'error'
    exit_codes: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def signals(self) -> list[int]:
        return [-c for c in self.exit_codes if c < 0]

    def out_of_memory(self) -> bool:
        """A death by the memory cap (the parser aborts) or the OOM killer, or unknown."""
        signals = self.signals()
        return not signals or bool(set(signals) & MEMORY_SIGNALS)


Task = tuple[Any, ...]  # (key, ...): the key names the task's result


def run_chunks(
    func: Callable[..., list[tuple[Any, Any]]],
    tasks: Sequence[Task],
    args: tuple[Any, ...],
    *,
    workers: int,
    memory_bytes: int,
    timeout: float,
    on_failure: Callable[[Task, Failure], Any],
    progress: Callable[[int], None] | None = None,
    max_chunk: int = MAX_CHUNK,
    quiet: bool = True,
) -> dict[Any, Any]:
    """``func(chunk, *args) -> [(key, result), ...]`` over ``tasks`` in capped workers; returns
    key -> result. A chunk whose worker dies or hangs (``timeout`` seconds without any chunk
    finishing) is retried task by task; a task that fails alone gets ``on_failure``."""
    results: dict[Any, Any] = {}
    if not tasks:
        return results
    done_n = progress or (lambda _n: None)
    workers = worker_count(workers, len(tasks))
    size = max(1, min(max_chunk, math.ceil(len(tasks) / (workers * 4))))
    queue = deque(list(tasks[i : i + size]) for i in range(0, len(tasks), size))
    suspects: list[Task] = []
    while queue:
        pool = new_pool(workers, memory_bytes, quiet=quiet)
        inflight: dict[Future[Any], list[Task]] = {}
        broken = False
        try:
            while (queue or inflight) and not broken:
                while queue and len(inflight) < workers * 2:
                    chunk = queue.popleft()
                    try:
                        inflight[pool.submit(func, chunk, *args)] = chunk
                    except BrokenProcessPool:
                        queue.appendleft(chunk)
                        broken = True
                        break
                if not inflight:
                    break
                done, _ = wait(inflight, timeout=timeout, return_when=FIRST_COMPLETED)
                if not done:
                    broken = True
                for fut in done:
                    chunk = inflight.pop(fut)
                    try:
                        results.update(fut.result())
                        done_n(len(chunk))
                    except Exception as exc:  # noqa: BLE001 - no result: retry task by task
                        # a dead worker breaks the pool; an error sent back (a result that
                        # cannot be pickled) leaves it usable
                        log.warning("a chunk failed: %s: %s", type(exc).__name__, exc)
                        suspects.extend(chunk)
                        broken = broken or isinstance(exc, (BrokenProcessPool, OSError, EOFError))
        finally:
            if broken:
                for chunk in inflight.values():
                    suspects.extend(chunk)
                kill(pool)
            else:
                pool.shutdown(wait=True)
    if suspects:
        suspects.sort(key=lambda task: task[0])
        results.update(
            _one_by_one(func, suspects, args, memory_bytes, timeout, on_failure, done_n, quiet)
        )
    return results


def _one_by_one(
    func: Callable[..., list[tuple[Any, Any]]],
    tasks: list[Task],
    args: tuple[Any, ...],
    memory_bytes: int,
    timeout: float,
    on_failure: Callable[[Task, Failure], Any],
    done_n: Callable[[int], None],
    quiet: bool,
) -> dict[Any, Any]:
    results: dict[Any, Any] = {}
    pool: ProcessPoolExecutor | None = None
    try:
        for task in tasks:
            if pool is None:
                pool = new_pool(1, memory_bytes, quiet=quiet)
            fut = pool.submit(func, [task], *args)
            processes = list((getattr(pool, "_processes", None) or {}).values())
            try:
                results.update(fut.result(timeout=timeout))
            except TimeoutError:
                results[task[0]] = on_failure(task, Failure("timeout"))
                kill(pool)
                pool = None
            except (BrokenProcessPool, OSError, EOFError):
                kill(pool)
                pool = None
                codes = [p.exitcode for p in processes if p.exitcode is not None]
                log.warning("the worker of task %s died (exit codes %s)", task[0], codes)
                results[task[0]] = on_failure(task, Failure("died", exit_codes=codes))
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                log.warning("task %s failed: %s: %s", task[0], type(exc).__name__, exc)
                results[task[0]] = on_failure(task, Failure("error", error=exc))
            done_n(1)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return results
