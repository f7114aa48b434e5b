"""Command line: parses arguments, calls the library, prints a short Chinese summary.

Exit status: 0 when the run completed (rejected rows are no failure), 2 for a bad command line
or an unusable configuration.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import difflib
import logging
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

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


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: a Chinese character (or full-width sign) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_display(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` columns: Chinese text anywhere between two
    characters (no line starts with a closing sign such as ，。）), other text at its spaces."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"[\x21-\x7e]+|\s+|.", " ".join(text.split())):
        if display_width(line + word.rstrip()) <= width or not line.strip():
            line += word
            continue
        if word in _NO_LINE_START and len(line) > 1:  # take the last character along
            line, word = line[:-1], line[-1] + word
        lines.append(line.rstrip())
        line = word.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


_NO_LINE_START = set("，。、；：！？）」』》〉”’…")


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help, laid out by display width: the help column starts at the same column
    on every line though the options hold Chinese metavars (文件夹 takes six columns, not three),
    Chinese help text is wrapped at the terminal's width, headings end in a Chinese colon, and
    the list of commands is shown without the bare 「命令」 line argparse puts above it."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_help_position", 30)
        super().__init__(prog, **kwargs)
        self._headings: list[str] = []

    def start_section(self, heading: str | None) -> None:
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        text = super().format_help()
        for heading in self._headings:
            text = re.sub(rf"(?m)^(\s*){re.escape(heading)}:$", rf"\g<1>{heading}：", text)
        return text

    def _subactions(self, action: argparse.Action) -> list[argparse.Action]:
        return list(action._get_subactions())  # type: ignore[attr-defined]

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        shown = [action]
        if isinstance(action, argparse._SubParsersAction):
            shown = self._subactions(action)
        for one in shown:
            width = display_width(self._format_action_invocation(one)) + self._current_indent
            self._action_max_length = max(self._action_max_length, width)
        self._add_item(self._format_action, [action])

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_display(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_display(text, width - len(indent)))

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            return self._join_parts([self._format_action(a) for a in self._subactions(action)])
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        help_text = self._expand_help(action) if action.help and action.help.strip() else ""
        if not help_text:
            return f"{indent}{header}\n"
        lines = self._split_lines(help_text, help_width)
        if display_width(header) <= action_width:
            pad = " " * (action_width - display_width(header) + 2)
            parts = [f"{indent}{header}{pad}{lines[0]}\n"]
        else:
            parts = [f"{indent}{header}\n", " " * help_position + lines[0] + "\n"]
        parts += [" " * help_position + line + "\n" for line in lines[1:]]
        return self._join_parts(parts)


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """「您是不是要输入 --config？」 for a typo (``--confg``, ``proces``), or ""."""
    typed = word.split("=", 1)[0]
    close = difflib.get_close_matches(typed, list(candidates), n=1, cutoff=0.6)
    return vocab.CLI_DID_YOU_MEAN.format(word=close[0]) if close else ""


class ChineseArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._is_subcommand:
            # argparse leaves a subcommand's unknown words to the top parser, which then shows
            # its own usage and knows none of the subcommand's options to suggest
            self.error(vocab.ARGPARSE_MESSAGES["unrecognized arguments: %s"] % " ".join(extras))
        return parsed, extras

    _is_subcommand = False

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if (
            isinstance(action, argparse._SubParsersAction)
            and action.choices is not None
            and value not in action.choices
        ):
            message = vocab.CLI_UNKNOWN_COMMAND.format(
                value=value, choices="、".join(action.choices)
            )
            raise argparse.ArgumentError(None, message + suggestion(value, action.choices))
        super()._check_value(action, value)

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        if action.type in (int, float):
            try:
                return action.type(arg_string)  # type: ignore[misc]
            except ValueError:
                what = vocab.CLI_NOT_A_NUMBER[action.type.__name__]  # type: ignore[union-attr]
                raise argparse.ArgumentError(
                    action, vocab.CLI_BAD_NUMBER.format(value=arg_string, what=what)
                ) from None
        return super()._get_value(action, arg_string)

    def error(self, message: str) -> NoReturn:  # argparse exits 2 as SPEC wants; say it in Chinese
        self.print_usage(sys.stderr)
        prog = self.prog.split(" ")[0] if invoked_as() == "make" else self.prog
        if message.startswith(_UNRECOGNIZED):
            words = message[len(_UNRECOGNIZED) :].split()
            options = [s for a in self._actions for s in a.option_strings]
            # 「–inbox」: Word and the input method turn -- into a dash; the option is there
            dashed = {w: "--" + w.lstrip(_DASHES) for w in words if w[:1] in _DASHES}
            dashed = {w: o for w, o in dashed.items() if o.split("=", 1)[0] in options}
            if dashed:
                message += "。" + "".join(
                    vocab.CLI_DASH_HINT.format(typed=w, option=o) for w, o in dashed.items()
                )
                # the option and the value after it are told for: no other hint for them
                words = [
                    w
                    for i, w in enumerate(words)
                    if w not in dashed and (i == 0 or words[i - 1] not in dashed)
                ]
            hints = [suggestion(w, options) for w in words if w.startswith("-")]
            if any(hints):
                message += "。" + "".join(dict.fromkeys(h for h in hints if h))
            # a word that is no option's value (it follows no unknown option) is most often
            # the rest of a path with a space
            if any(
                not w.startswith("-") and (i == 0 or not words[i - 1].startswith("-"))
                for i, w in enumerate(words)
            ):
                message += vocab.CLI_UNRECOGNIZED_HINT
        sys.stderr.write(vocab.CLI_USAGE_ERROR.format(message=message, prog=prog) + "\n")
        raise SystemExit(EXIT_USAGE)


class ChineseSubcommandParser(ChineseArgumentParser):
    _is_subcommand = True


_UNRECOGNIZED = vocab.ARGPARSE_MESSAGES["unrecognized arguments: %s"].split("%s")[0]
# what an option's -- becomes when copied from Word or typed with a Chinese input method
_DASHES = "-–—―‐‑−－﹣"


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
        parser_class=ChineseSubcommandParser,
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
    _add(d, "demo-data", "--out", type=Path, required=True, metavar="文件夹")
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


def _in_the_tool_folder(inbox: Path, config_dir: Path) -> None:
    """Neither the inbox nor the config folder, both given relative (the defaults), is in the
    current folder: the command was typed elsewhere than in the tool's folder (a new terminal
    opens in C:\\Users\\…). Said as such, with where we are, rather than 「找不到收件文件夹
    inbox」 for a folder that is there, one level away."""
    if inbox.is_absolute() or config_dir.is_absolute() or inbox.exists() or config_dir.exists():
        return
    raise PipelineError(
        vocab.CLI_NOT_IN_TOOL_FOLDER.format(cwd=Path.cwd(), inbox=inbox, config=config_dir)
    )


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
    owing = rounds.screen_lines(owed, result)
    if owing:
        lines += [vocab.CLI_SUMMARY_OWED, *owing]
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
    ``main``, then ``exit_now`` (``main`` itself returns, for callers in the same process).

    Output redirected to a file on a Chinese Windows (``… > 结果.txt``) is written in GBK,
    which has no emoji and no rare characters of names (𠮷, 䶮): such a character is written as
    \\U0001f4ce rather than ending the run with UnicodeEncodeError after its files were written
    (stderr does so already)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
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

            _in_the_tool_folder(args.inbox, args.config)
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
            for before, now in made.renamed:
                print(vocab.CLI_PREFILL_RENAMED.format(before=before, now=now))
            if made.unsure:
                print(vocab.CLI_PREFILL_UNSURE.format(label=made.unsure_label, n=made.unsure))
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
