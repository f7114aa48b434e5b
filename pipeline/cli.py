"""Command line: parses arguments, calls the library, prints a short Chinese summary.

Exit status: 0 when the run completed (rejected rows are no failure), 2 for a bad command line
or an unusable configuration.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import logging
import os
import re
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from pipeline import vocab
from pipeline.errors import PipelineError

EXIT_OK = 0
EXIT_USAGE = 2


def _translate(message: str) -> str:
    return vocab.ARGPARSE_MESSAGES.get(message, message)


# argparse looks its own messages ("usage: ", "the following arguments are required: %s", …) up
# through the module global ``argparse._`` at call time; pointing it at our table makes every
# message of the command line Chinese without copying argparse's logic.
argparse._ = _translate  # type: ignore[attr-defined]


def invoked_as(argv: list[str] | None = None) -> str:
    """The command the user typed to start us: ``make``, ``处理.bat``, the console script or
    ``python -m pipeline``; hints name it so a user without make is never told to run make."""
    launcher = os.environ.get(vocab.LAUNCHER_ENV, "")
    if launcher == "bat":
        return vocab.LAUNCHER_BAT_HINT
    if launcher == "make" or os.environ.get("MAKELEVEL"):
        return "make"
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if name in ("__main__.py", "-c", "") or name.startswith("python"):
        return "python -m pipeline"
    return name.removesuffix(".exe").removesuffix("-script.py")


def rerun_hint(argv: list[str]) -> str:
    """What to type (or click) to run again: ``make process``, ``双击 处理.bat``, or the same
    command line as this run."""
    prog = invoked_as()
    if prog == vocab.LAUNCHER_BAT_HINT:
        return prog
    if prog == "make":
        return f"make {argv[0]}" if argv else "make process"
    return " ".join([prog, *map(shell_word, argv)])


# what a shell (sh, cmd.exe or PowerShell) would split or interpret in an unquoted word
_SHELL_SPECIAL = re.compile(r"""[\s"'$`\\|&;<>()*?!#~%^]""")


def shell_word(word: str) -> str:
    """``word`` as the user should type it: as it is when no shell splits or interprets it
    (Chinese letters included), else in English double quotes, which sh, cmd.exe and PowerShell
    all take. ``shlex.quote`` wrote '…' around every Chinese path, which cmd.exe does not
    understand, so the command it showed failed again when copied on Windows."""
    if word and not _SHELL_SPECIAL.search(word):
        return word
    return '"' + word.replace('"', '\\"') + '"'


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 as SPEC wants; say it in Chinese
        self.print_usage(sys.stderr)
        prog = self.prog.split(" ")[0] if invoked_as() == "make" else self.prog
        if message.startswith(_UNRECOGNIZED):  # most often a path with a space, unquoted
            message += vocab.CLI_UNRECOGNIZED_HINT
        sys.stderr.write(vocab.CLI_USAGE_ERROR.format(message=message, prog=prog) + "\n")
        raise SystemExit(EXIT_USAGE)


_UNRECOGNIZED = vocab.ARGPARSE_MESSAGES["unrecognized arguments: %s"].split("%s")[0]


def split_path(argv: list[str]) -> tuple[str, list[str]] | None:
    """A path with spaces typed without quotes (``--inbox D:/2026 收件箱``), which the shell
    cut into words: (the path, argv with it in one piece) when some run of words joined by
    spaces names an existing file or folder and its first word alone names none."""
    for start, word in enumerate(argv):
        if word.startswith("-") or Path(word).exists():
            continue
        for end in range(len(argv), start + 1, -1):
            words = argv[start:end]
            if any(w.startswith("-") for w in words[1:]):
                continue
            joined = " ".join(words)
            if Path(joined).exists():
                return joined, [*argv[:start], joined, *argv[end:]]
    return None


def _run_time(text: str) -> str:
    """--run-time as given, when it is an ISO date or time (shown on the covers, names 历次/)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(vocab.CLI_BAD_RUN_TIME.format(value=text)) from None
    return text


def _sizes(text: str) -> list[int]:
    """--sizes of bench: whole numbers above 0, comma-separated."""
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(vocab.CLI_BAD_SIZES.format(value=text))
    return sizes


def _add(parser: argparse.ArgumentParser, command: str, *flags: str, **kwargs: object) -> None:
    key = flags[0].lstrip("-").replace("-", "_")
    parser.add_argument(*flags, help=vocab.CLI_HELP[f"{command}.{key}"], **kwargs)  # type: ignore[arg-type]


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    prog = prog or (invoked_as() if invoked_as() != vocab.LAUNCHER_BAT_HINT else "lianzheng-risk")
    if prog == "make":
        prog = "python -m pipeline"
    parser = ChineseArgumentParser(
        prog=prog,
        description=vocab.CLI_DESCRIPTION,
        epilog=vocab.CLI_EPILOG.format(prog=prog),
    )
    sub = parser.add_subparsers(
        dest="command",
        title=vocab.CLI_COMMANDS_TITLE,
        metavar=vocab.CLI_COMMAND_METAVAR,
        parser_class=ChineseArgumentParser,
    )

    def command(name: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=vocab.CLI_HELP[name], description=vocab.CLI_HELP[name])

    p = command("process")
    _add(p, "process", "--inbox", type=Path, default=Path("inbox"), metavar="文件夹")
    _add(p, "process", "--config", type=Path, default=Path("config"), metavar="文件夹")
    _add(p, "process", "--out", type=Path, default=Path("output"), metavar="文件夹")
    _add(p, "process", "--no-progress", action="store_true")
    _add(p, "process", "--run-time", type=_run_time, default=None, metavar="时间")

    t = command("templates")
    _add(t, "templates", "--out", type=Path, default=Path("input_templates"), metavar="文件夹")

    d = command("demo-data")
    _add(d, "demo-data", "--people", type=int, default=30, metavar="N")
    _add(d, "demo-data", "--seed", type=int, default=1, metavar="S")
    _add(d, "demo-data", "--error-rate", type=float, default=0.05, metavar="R")
    _add(d, "demo-data", "--out", type=Path, required=True, metavar="DIR")
    _add(d, "demo-data", "--sections", type=int, default=0, metavar="N")
    _add(d, "demo-data", "--real-offices", action="store_true")

    b = command("bench")
    _add(b, "bench", "--sizes", type=_sizes, default=[1000, 10000, 20000], metavar="N,N")
    _add(b, "bench", "--data", type=Path, default=Path("bench-data"), metavar="文件夹")
    _add(b, "bench", "--report", type=Path, default=Path("docs/benchmarks.md"), metavar="文件")
    _add(b, "bench", "--baseline-max", type=int, default=10000, metavar="N")

    pf = command("prefill")
    _add(pf, "prefill", "--config", type=Path, default=Path("config"), metavar="文件夹")
    _add(pf, "prefill", "--out", type=Path, required=True, metavar="文件夹")
    _add(pf, "prefill", "--last-archive", type=Path, default=None, metavar="文件")

    cb = command("combine")
    _add(cb, "combine", "archives", type=Path, nargs="+", metavar="档案")
    _add(cb, "combine", "--out", type=Path, required=True, metavar="文件夹")
    _add(cb, "combine", "--expected", type=Path, default=None, metavar="名单")
    _add(cb, "combine", "--run-time", type=_run_time, default=None, metavar="时间")
    return parser


def _out_folder(out: Path) -> None:
    """Make sure ``--out`` of templates, demo-data, prefill and combine can be written: a file
    of that name, or a folder that cannot be made, is a Chinese PipelineError (exit 2), never
    a traceback from deep in a writer."""
    if out.exists() and not out.is_dir():
        raise PipelineError(vocab.OUT_UNUSABLE.format(path=out, reason=vocab.OUT_REASON_NOT_FOLDER))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = (
            vocab.OUT_REASON_NOT_FOLDER
            if isinstance(exc, (FileExistsError, NotADirectoryError))
            else vocab.OUT_REASON_DENIED
            if isinstance(exc, PermissionError)
            else vocab.OUT_REASON_OTHER
        )
        raise PipelineError(vocab.OUT_UNUSABLE.format(path=out, reason=reason)) from exc


# control characters a terminal obeys (ESC sequences, BEL, C1), but not line breaks and tabs
_LOG_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class LogFormatter(logging.Formatter):
    """run.log's lines, with the control characters of file and person names shown as \\x1b
    text: `cat run.log` shows what was read instead of obeying it (clearing the screen)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return _LOG_CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}", super().format(record))


def _setup_logging(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out / vocab.LOG_FILE, mode="w", encoding="utf-8")
    handler.setFormatter(LogFormatter())
    root = logging.getLogger("pipeline")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _print_summary(result, out: Path) -> None:
    from pipeline import rounds
    from pipeline.write_archive import archive_path

    c = result.counts
    f, r, lv = c["files"], c["rows"], c["levels"]
    sent = rounds.counts(result)
    owed = rounds.pending(result)
    archive = archive_path(result, out)
    contained = c.get("contained_files") or {}
    text = vocab.CLI_SUMMARY.format(
        body=result.body_name,
        year=result.year,
        files=f,
        contained=vocab.CLI_SUMMARY_CONTAINED.format(c=contained) if contained.get("total") else "",
        rows=r,
        levels="，".join(
            vocab.CLI_SUMMARY_LEVEL.format(level=level, n=lv.get(level, 0))
            for level in vocab.LEVELS
        ),
        people=sent["people"],
        units=sent["units"],
        issues=len(result.issues),
        issues_sheet=vocab.ARCHIVE_SHEET_ISSUES,
        archive=archive,
        feedback=f"{out / vocab.FEEDBACK_DIR}/",
        reminder=out / vocab.REMINDER_FILE,
    )
    lines = ["", *text.split("\n")]
    if len(owed):
        lines += [vocab.CLI_SUMMARY_OWED, *rounds.screen_lines(owed)]
    if result.changes is not None:
        n = result.changes["change"].value_counts()
        lines.append(
            vocab.CLI_SUMMARY_CHANGES.format(
                fixed=int(n.get(vocab.ROUND_CHANGE_FIXED, 0)),
                accepted=int(n.get(vocab.ROUND_CHANGE_ACCEPTED, 0)),
                new=int(n.get(vocab.ROUND_CHANGE_NEW_REJECT, 0)),
                dropped_part=rounds.dropped_part(
                    int(n.get(vocab.ROUND_CHANGE_DROPPED, 0)),
                    int(n.get(vocab.ROUND_CHANGE_GONE, 0)),
                ),
                sheet=vocab.SHEET_CHANGES,
            )
        )
    lines += [*(f"  {notice}" for notice in result.notices), ""]
    print("\n".join(lines))


def console() -> NoReturn:
    """Entry point of ``python -m pipeline`` and of the ``lianzheng-risk`` console script:
    ``main``, then ``exit_now`` (``main`` itself returns, for callers in the same process)."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown, which frees every module and object
    one by one (0.3 CPU s for pandas, pandera and the writers alone, more after a run) while
    the user waits. What a normal exit does that matters is done first: other threads are
    waited for, the exit functions run (logging's flush and close, multiprocessing's, openpyxl's
    temporary files), the standard streams are flushed."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None:  # not CPython: the normal exit
        raise SystemExit(code)
    run_exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or its reader went away (``… | head``)
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """The command line's work; returns its exit status (``console`` is the entry point)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader of our output went away (``… | head``): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write(_interrupted.get("message", vocab.CLI_INTERRUPTED) + "\n")
        return 130
    finally:
        _interrupted.clear()


# what Ctrl-C is to say, where the command's own words are truer than CLI_INTERRUPTED's
_interrupted: dict[str, str] = {}


def _main(argv: list[str]) -> int:
    cut = split_path(argv)
    if cut is not None:
        path, whole = cut
        prog = invoked_as() if invoked_as() != vocab.LAUNCHER_BAT_HINT else "lianzheng-risk"
        prog = "python -m pipeline" if prog == "make" else prog
        example = " ".join([prog, *map(shell_word, whole)])
        sys.stderr.write(vocab.CLI_PATH_WITH_SPACE.format(path=path, example=example) + "\n")
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        sys.stderr.write("\n" + vocab.CLI_NO_COMMAND + "\n")
        return EXIT_USAGE
    try:
        if args.command == "process":
            from pipeline import prehash

            prehash.start(args.inbox)  # the inbox is hashed while the imports below run
            from pipeline.run import check_paths, hold_out, process

            check_paths(args.inbox, args.config, args.out)
            with contextlib.ExitStack() as held:
                try:
                    # held before run.log is opened: a second run must not truncate the first's
                    held.enter_context(hold_out(args.out))
                    _setup_logging(args.out)
                except OSError as exc:
                    reason = (
                        vocab.OUT_REASON_DENIED
                        if isinstance(exc, PermissionError)
                        else vocab.OUT_REASON_OTHER
                    )
                    raise PipelineError(
                        vocab.OUT_UNUSABLE.format(path=args.out, reason=reason)
                    ) from exc
                result = process(
                    args.inbox,
                    args.config,
                    args.out,
                    progress=not args.no_progress and sys.stderr.isatty(),
                    run_time=args.run_time,
                )
            _print_summary(result, args.out)
        elif args.command == "templates":
            from pipeline.templates import write_templates

            _out_folder(args.out)
            for path in write_templates(args.out):
                print(vocab.CLI_WROTE.format(path=path))
        elif args.command == "demo-data":
            from pipeline.demo import write_demo_staged

            if args.people < 1 or not 0 <= args.error_rate <= 1 or args.sections < 0:
                raise PipelineError(vocab.CLI_DEMO_ARGS)
            _out_folder(args.out)
            inbox = args.out / "inbox"
            if inbox.is_dir() and any(inbox.iterdir()):  # another body's files would stay
                raise PipelineError(vocab.CLI_DEMO_NOT_EMPTY.format(inbox=inbox))
            write_demo_staged(
                args.out,
                people=args.people,
                seed=args.seed,
                error_rate=args.error_rate,
                sections=args.sections or None,
                real_offices=args.real_offices,
            )
            print(vocab.CLI_DEMO_WROTE.format(inbox=args.out / "inbox", config=args.out / "config"))
        elif args.command == "prefill":
            from pipeline.prefill import prefill

            _out_folder(args.out)
            # forms are written one by one into the sections' folders: not all or nothing
            _interrupted["message"] = vocab.CLI_INTERRUPTED_PREFILL.format(out=args.out)
            made = prefill(args.config, args.out, args.last_archive)
            print(
                vocab.CLI_PREFILL_WROTE.format(
                    sections=len(made.folders),
                    forms=len(made.forms),
                    points=made.points,
                    out=args.out,
                )
            )
            for n, owners, text in (
                (made.not_carried, made.not_carried_owners, vocab.CLI_PREFILL_NOT_CARRIED),
                (made.moved, made.moved_owners, vocab.CLI_PREFILL_MOVED),
            ):
                if n:
                    who = "、".join(owners[:10]) + ("等" if len(owners) > 10 else "")
                    print(text.format(n=n, who=who))
        elif args.command == "combine":
            from pipeline.combine import check_arguments, combine
            from pipeline.write_district import counts

            check_arguments(args.archives)
            _out_folder(args.out)
            done = combine(args.archives, args.out, args.expected, run_time=args.run_time)
            n = counts(done)
            missing = n.pop("missing", 0)
            print(
                vocab.COMBINE_WROTE.format(
                    year=done.year,
                    missing=vocab.COMBINE_WROTE_MISSING.format(n=missing) if missing else "",
                    path=done.path,
                    **n,
                )
            )
        elif args.command == "bench":
            from pipeline.bench import run_bench

            run_bench(args.sizes, args.data, args.report, baseline_max=args.baseline_max)
    except PipelineError as exc:
        sys.stderr.write(f"{exc}\n{vocab.EXIT_HINT.format(command=rerun_hint(argv))}\n")
        return EXIT_USAGE
    return EXIT_OK
