"""``make wheelhouse``: every wheel the tool needs in one folder, for an office PC without
internet (``pip install --no-index --find-links wheelhouse lianzheng-risk``).

By default the wheels are for this machine; ``--platform win_amd64 --python 3.12`` fetches the
wheels of another machine (pandas, numpy and python-calamine have compiled parts, so a Linux
wheelhouse does not install on Windows). The build tools (setuptools, wheel) are included so that
the editable set-up of the Makefile and 处理.bat also works offline.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from pipeline import vocab

ROOT = Path(__file__).resolve().parent.parent
BUILD_TOOLS = ("setuptools>=68", "wheel")


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The runtime and development requirements declared in pyproject.toml."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [*project["dependencies"], *extras.get("dev", []), *BUILD_TOOLS]


def build(out: Path, platform: str = "", python: str = "3.11") -> list[Path]:
    """Write the wheels into ``out``; returns the wheel files there."""
    out.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    # the tool itself is pure Python: one wheel serves every platform
    subprocess.run([*pip, "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)], check=True)
    if platform:
        target = ["--platform", platform, "--python-version", python, "--only-binary=:all:"]
        subprocess.run(
            [*pip, "download", "--quiet", "-d", str(out), *target, *requirements()], check=True
        )
    else:
        subprocess.run([*pip, "wheel", "--quiet", "-w", str(out), *requirements()], check=True)
    (out / vocab.WHEELHOUSE_README_FILE).write_text(vocab.WHEELHOUSE_README, encoding="utf-8")
    return sorted(out.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    from pipeline.cli import ChineseArgumentParser

    parser = ChineseArgumentParser(
        prog="python -m pipeline.wheelhouse", description=vocab.WHEELHOUSE_HELP["description"]
    )
    for flag, default, metavar in (
        ("--out", ROOT / "wheelhouse", "文件夹"),
        ("--platform", "", "平台"),
        ("--python", "3.11", "版本"),
    ):
        parser.add_argument(
            flag,
            type=Path if flag == "--out" else str,
            default=default,
            metavar=metavar,
            help=vocab.WHEELHOUSE_HELP[flag.lstrip("-")],
        )
    args = parser.parse_args(argv)
    try:
        wheels = build(args.out, args.platform, args.python)
    except subprocess.CalledProcessError:  # pip said why above (no network, no such wheel)
        sys.stderr.write(
            vocab.WHEELHOUSE_FAILED.format(platform=args.platform or "本机", python=args.python)
            + "\n"
        )
        return 2
    print(vocab.WHEELHOUSE_WROTE.format(n=len(wheels), out=args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
