"""Command line: parses arguments, calls the library, prints a short Chinese summary.

Exit status: 0 when the run completed (rejected rows are no failure), 2 for a bad command line
or an unusable configuration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeline import vocab
from pipeline.errors import PipelineError

EXIT_OK = 0
EXIT_USAGE = 2


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 as SPEC wants; say it in Chinese
        self.print_usage(sys.stderr)
        sys.stderr.write(vocab.CLI_USAGE_ERROR.format(message=message) + "\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="python -m pipeline",
        description="廉政风险自查表处理工具 (lianzheng-risk): integrity-risk self-check processor.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)

    p = sub.add_parser("process", help="read the inbox, grade, write archive and feedback")
    p.add_argument("--inbox", type=Path, default=Path("inbox"), help="folder of received files")
    p.add_argument("--config", type=Path, default=Path("config"), help="folder with roster.xlsx")
    p.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--run-time",
        default=None,
        help="timestamp shown on the cover (ISO); fix it for byte-stable comparisons",
    )

    t = sub.add_parser("templates", help="write the blank forms to input_templates/")
    t.add_argument("--out", type=Path, default=Path("input_templates"), help="output folder")

    d = sub.add_parser("demo-data", help="write a synthetic body: DIR/inbox and DIR/config")
    d.add_argument("--people", type=int, default=30, help="number of people")
    d.add_argument("--seed", type=int, default=1, help="random seed")
    d.add_argument("--error-rate", type=float, default=0.05, help="share of forms with errors")
    d.add_argument("--out", type=Path, required=True, help="output folder")
    d.add_argument("--sections", type=int, default=0, help="number of sections (0 = automatic)")

    b = sub.add_parser("bench", help="measure the pipeline against the straightforward approach")
    b.add_argument("--sizes", default="1000,10000,20000", help="inbox sizes, comma-separated")
    b.add_argument("--data", type=Path, default=Path("bench-data"), help="cache of inboxes")
    b.add_argument("--report", type=Path, default=Path("docs/benchmarks.md"), help="results file")
    b.add_argument(
        "--baseline-max", type=int, default=10000, help="run the baselines up to this size"
    )
    return parser


def _setup_logging(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out / vocab.LOG_FILE, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("pipeline")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _print_summary(result, out: Path) -> None:
    c = result.counts
    f, r, lv = c["files"], c["rows"], c["levels"]
    missing = 0
    if len(result.submissions):
        missing = int((result.submissions["status"] == vocab.STATUS_MISSING).sum())
    from pipeline.write_archive import archive_path

    archive = archive_path(result, out)
    text = vocab.CLI_SUMMARY.format(
        body=result.body_name,
        year=result.year,
        files=f,
        rows=r,
        levels="，".join(
            vocab.CLI_SUMMARY_LEVEL.format(level=level, n=lv.get(level, 0))
            for level in vocab.LEVELS
        ),
        missing=missing,
        issues=len(result.issues),
        issues_sheet=vocab.ARCHIVE_SHEET_ISSUES,
        archive=archive,
        feedback=f"{out / vocab.FEEDBACK_DIR}/",
    )
    lines = ["", *text.split("\n"), ""]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "process":
            from pipeline.run import check_paths, process

            check_paths(args.inbox, args.config, args.out)
            try:
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

            for path in write_templates(args.out):
                print(vocab.CLI_WROTE.format(path=path))
        elif args.command == "demo-data":
            from pipeline.demo import write_demo

            if args.people < 1 or not 0 <= args.error_rate <= 1:
                raise PipelineError(vocab.CLI_DEMO_ARGS)
            write_demo(
                args.out,
                people=args.people,
                seed=args.seed,
                error_rate=args.error_rate,
                sections=args.sections or None,
            )
            print(vocab.CLI_DEMO_WROTE.format(inbox=args.out / "inbox", config=args.out / "config"))
        elif args.command == "bench":
            from pipeline.bench import run_bench

            sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
            run_bench(sizes, args.data, args.report, baseline_max=args.baseline_max)
    except PipelineError as exc:
        sys.stderr.write(f"{exc}\n{vocab.EXIT_HINT}\n")
        return EXIT_USAGE
    return EXIT_OK
