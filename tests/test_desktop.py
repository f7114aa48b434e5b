"""The command line as an office PC meets it: Chinese help and errors that name the command the
user ran, quiet on a closed pipe, 处理.bat calling only what exists, and an offline install."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from pipeline import cli, vocab

ROOT = Path(__file__).resolve().parent.parent
BAT = ROOT / "处理.bat"
# what argparse prints when its messages are not translated
ENGLISH = re.compile(
    r"usage:|positional arguments|options:|show this help|required|invalid choice|unrecognized"
)


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT):
    # `make test` exports the launcher and MAKELEVEL: a test run must not look like make
    environment = {**os.environ, vocab.LAUNCHER_ENV: "", **(env or {})}
    environment.pop("MAKELEVEL", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=cwd,
        timeout=120,
    )


def commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)


def test_help_is_chinese_for_every_command() -> None:
    assert "process" in commands()
    for args in ([], *([c] for c in commands())):
        done = run_cli(*args, "--help")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("用法："), done.stdout[:80]
        assert not ENGLISH.search(done.stdout), done.stdout
        # every option a user can type has a Chinese help line
        options = done.stdout.split("\n\n", 1)[1]  # after the usage block
        for line in options.splitlines():
            if line.strip().startswith("-"):
                assert re.search(r"[\u4e00-\u9fff]", line), line


def test_help_columns_line_up_by_display_width_and_headings_end_in_a_chinese_colon() -> None:
    """A Chinese metavar (文件夹) takes two columns a character: argparse padded by characters,
    so 「--inbox 文件夹」's help started three columns right of 「--no-progress」's; headings
    ended in an ASCII colon (「选项:」), a long Chinese help ran past the window's edge, and
    the commands were listed under a bare 「命令」 line."""
    for args in ([], *([c] for c in commands())):
        done = run_cli(*args, "--help", env={"COLUMNS": "80"})
        assert done.returncode == 0, done.stderr
        text = done.stdout
        assert "选项：" in text and not re.search(r"(?m)^\S.*[^\s：]:$", text), text
        assert "  命令\n" not in text, text
        for line in text.splitlines():
            assert cli.display_width(line) <= 80 or line.startswith("用法"), line
        columns = set()
        for line in text.split("\n\n", 1)[1].splitlines():
            item = re.match(r"^  (-\S.*?|[a-z][\w-]+|档案)(\s{2,})(\S.*)$", line)
            if item:
                columns.add(cli.display_width(line[: line.index(item.group(3), 2)]))
        assert len(columns) == 1, (args, columns, text)
    process_help = run_cli("process", "--help", env={"COLUMNS": "80"}).stdout
    assert "--inbox 文件夹" in process_help  # the precondition: a Chinese metavar is shown


@pytest.mark.parametrize(
    ("args", "usage", "hint"),
    [
        (
            ["process", "--confg", "x"],
            "用法：python -m pipeline process",
            "您是不是要输入 --config？",
        ),
        (
            ["process", "--inbx=收件箱"],
            "用法：python -m pipeline process",
            "您是不是要输入 --inbox？",
        ),
        (
            ["prefill", "--out", "x", "--last-achive", "a.xlsx"],
            "用法：python -m pipeline prefill",
            "--last-archive？",
        ),
        (["proces"], "用法：python -m pipeline [-h]", "您是不是要输入 process？"),
        (["demodata"], "用法：python -m pipeline [-h]", "您是不是要输入 demo-data？"),
    ],
)
def test_a_typo_shows_the_commands_own_usage_and_what_was_meant(
    tmp_path: Path, args: list[str], usage: str, hint: str
) -> None:
    """``process --confg x`` showed the top-level usage (「命令 ...」), named no option and
    asked to quote a path with a space; a mistyped command listed the choices in Python's
    quotes ('process', 'templates'). Now the subcommand's usage and the option meant."""
    done = run_cli(*args, env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(usage), done.stderr
    assert hint in done.stderr, done.stderr
    assert "'" not in done.stderr and vocab.CLI_UNRECOGNIZED_HINT not in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # a command copied from a Word document or typed with a Chinese input method
        (["process", "–inbox", "收件箱"], "请改为两个英文减号：--inbox"),
        (["process", "－－config", "配置"], "请改为两个英文减号：--config"),
        (["process", "—out=输出"], "请改为两个英文减号：--out=输出"),
        # 「三十」不是有效的值 said neither what is wanted nor how to write it
        (
            ["demo-data", "--people", "三十", "--out", "x"],
            "「三十」不是整数（如 30），请用阿拉伯数字写",
        ),
        (["demo-data", "--error-rate", "5%", "--out", "x"], "「5%」不是数（如 0.05）"),
    ],
)
def test_a_dash_or_a_number_typed_the_chinese_way_is_told_how_to_type_it(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    done = run_cli(*args, env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr, done.stderr
    assert vocab.CLI_UNRECOGNIZED_HINT not in done.stderr, done.stderr  # no path was cut
    assert not ENGLISH.search(done.stderr), done.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_command_is_explained_in_chinese() -> None:
    done = run_cli()
    assert done.returncode == 2
    assert vocab.CLI_NO_COMMAND in done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["frob"], "没有「frob」这个命令"),
        (["process", "--frob"], "无法识别的参数：--frob"),
        (["demo-data", "--people", "many", "--out", "x"], "「many」不是整数"),
        (["demo-data"], "缺少必需的参数：--out"),
        # the cover, 历次/ and 本轮变化 show the run time: a wrong one is refused, not written
        (["process", "--run-time", "yesterday"], "「yesterday」不是 ISO 格式的时间"),
        (["combine", "a.xlsx", "--out", "x", "--run-time", "4/30"], "「4/30」不是 ISO 格式的时间"),
        # bench's sizes ended in int()'s ValueError, or an IndexError for 0 people
        (["bench", "--sizes", "1000,abc"], "「1000,abc」不是有效的规模"),
        (["bench", "--sizes", "0"], "「0」不是有效的规模"),
    ],
)
def test_usage_errors_are_chinese(tmp_path: Path, args: list[str], expected: str) -> None:
    # run in an empty folder: a usage check that regressed must not write into the checkout
    done = run_cli(*args, env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


def test_demo_data_refuses_a_folder_that_already_holds_an_inbox(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "旧单位的表.xlsx").write_bytes(b"PK")
    done = run_cli("demo-data", "--people", "3", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "里已经有文件" in done.stderr, done.stderr
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["旧单位的表.xlsx"]
    assert not (tmp_path / "config").exists()


@pytest.mark.parametrize("option", ["--inbox", "--config"])
def test_a_file_given_for_a_folder_is_named_as_such(tmp_path: Path, option: str) -> None:
    """``--config config/roster.xlsx`` or ``--inbox 某表.xlsx``: the message says a folder is
    wanted, not that the roster (inside the file) or the inbox cannot be found."""
    folders = {"--inbox": tmp_path / "inbox", "--config": tmp_path / "config"}
    for folder in folders.values():
        folder.mkdir()
    given = folders[option] / ("roster.xlsx" if option == "--config" else "张三.xlsx")
    given.write_bytes(b"PK")
    assert given.is_file()  # the precondition: the option names an existing file
    folders[option] = given
    done = run_cli(
        "process",
        *("--inbox", str(folders["--inbox"]), "--config", str(folders["--config"])),
        *("--out", str(tmp_path / "out")),
    )
    assert done.returncode == 2
    assert f"{given} 是一个文件" in done.stderr, done.stderr
    assert "找不到" not in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


@pytest.mark.parametrize(
    ("launcher", "hint"),
    [
        ("make", "重新运行：make process"),
        ("bat", "重新运行：双击 处理.bat"),
        ("", "重新运行：python -m pipeline process --inbox inbox --config"),
    ],
)
def test_error_hint_names_the_command_the_user_ran(
    tmp_path: Path, launcher: str, hint: str
) -> None:
    missing = tmp_path / "没有名册"
    missing.mkdir()
    done = run_cli(
        "process",
        "--inbox",
        "inbox",
        "--config",
        str(missing),
        "--out",
        str(tmp_path / "out"),
        env={vocab.LAUNCHER_ENV: launcher},
    )
    assert done.returncode == 2
    assert "roster.xlsx" in done.stderr  # the precondition: the run stopped on the missing roster
    assert hint in done.stderr, done.stderr
    if launcher != "make":
        assert "make" not in done.stderr


def test_output_redirected_in_gbk_survives_a_character_gbk_lacks(tmp_path: Path) -> None:
    """``templates --out 模板📎 > 结果.txt`` on a Chinese Windows writes stdout in GBK: the
    emoji (or a rare character of a name, 䶮) ended the command with a UnicodeEncodeError
    traceback after the files were written. Now the character is written as \\U… and the
    command ends well."""
    out = tmp_path / "模板📎䶮"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "templates", "--out", str(out)],
        check=False,
        capture_output=True,
        env={**os.environ, vocab.LAUNCHER_ENV: "", "PYTHONIOENCODING": "gbk"},
        cwd=ROOT,
        timeout=120,
    )
    assert any(out.glob("*.xlsx"))  # the precondition: the files were written
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    said = done.stdout.decode("gbk")
    assert "已生成" in said and "\\U0001f4ce" in said, said


def test_wheelhouse_speaks_chinese_and_a_failed_download_says_what_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``make wheelhouse`` is run by whoever prepares the offline PC: its --help was
    argparse's English without a word on the options, and pip failing (no network, a
    --python with no wheels) ended in a CalledProcessError traceback."""
    from pipeline import wheelhouse

    done = subprocess.run(
        [sys.executable, "-m", "pipeline.wheelhouse", "--help"],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("用法："), done.stdout
    assert not ENGLISH.search(done.stdout), done.stdout
    assert "win_amd64" in done.stdout

    def no_network(command: list[str], **kwargs: object) -> None:
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(wheelhouse.subprocess, "run", no_network)
    code = wheelhouse.main(["--out", str(tmp_path / "wh"), "--platform", "win_amd64"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "能上网" in err and "win_amd64" in err, err


def test_process_typed_outside_the_tool_folder_says_so(tmp_path: Path) -> None:
    """A new terminal opens in the user's home folder: ``python -m pipeline process`` there
    said 「找不到收件文件夹 inbox」, as if the inbox were missing. Now it says the current
    folder holds neither inbox nor config and how to run in the tool's folder."""
    assert not (tmp_path / "inbox").exists() and not (tmp_path / "config").exists()
    done = run_cli("process", env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2
    assert f"当前文件夹 {tmp_path} 里既没有 inbox" in done.stderr, done.stderr
    assert "处理.bat" in done.stderr and "cd /d" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written where the user stood
    (tmp_path / "inbox").mkdir()  # one of them there: the usual message for the other
    done = run_cli("process", env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2 and "当前文件夹" not in done.stderr, done.stderr


def test_an_empty_inbox_writes_nothing_and_keeps_the_last_results(tmp_path: Path) -> None:
    """The office moved last round's attachments out of inbox (or saved new ones elsewhere)
    and ran again: the inbox holds no file, only an empty mail folder. The run stops with a
    message saying so and what to do; the last archive, 科室反馈 and 催报名单 are as they
    were (run.log is the refused run's, as for any refused run). Before, it wrote an archive and feedback in which everyone was 未报送, over the
    last good ones, and said 「处理完成」."""
    from tests.builders import office_of_two

    inbox, cfg = office_of_two(tmp_path)
    out = tmp_path / "out"
    args = ("process", "--inbox", str(inbox), "--config", str(cfg), "--out", str(out))
    first = run_cli(*args, "--no-progress")
    assert first.returncode == 0, first.stderr
    (archive,) = out.glob("*_廉政风险信息档案.xlsx")
    before = {
        p.relative_to(out): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and p.name != vocab.LOG_FILE
    }
    assert "已计入 1 人" in first.stdout + first.stderr and archive.relative_to(out) in before
    (inbox / "张三.xlsx").rename(tmp_path / "张三.xlsx")
    (inbox / "2026-04-02 来自李四").mkdir()  # a mail folder left empty
    assert not [p for p in inbox.rglob("*") if p.is_file()]
    done = run_cli(*args, "--no-progress", env={vocab.LAUNCHER_ENV: "bat"})
    assert done.returncode == 2
    assert f"收件文件夹 {inbox} 里没有任何文件，本次没有处理，上次的结果保持不变。" in (
        done.stderr
    ), done.stderr
    assert "保存到这个文件夹" in done.stderr and "处理.bat" in done.stderr, done.stderr
    after = {
        p.relative_to(out): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and p.name != vocab.LOG_FILE
    }
    assert after == before


def test_a_missing_inbox_typed_relative_is_shown_where_it_was_looked_for(tmp_path: Path) -> None:
    """处理.bat runs with ``--inbox inbox``: a deleted inbox folder was 「找不到收件文件夹
    inbox」, not saying where. Now the full path is shown beside it, and to create it."""
    from tests.builders import write_config

    cfg = write_config(
        tmp_path, [("办公室", "张三", "文秘", "其他", "是")], [("办公室", "张三", "")]
    )
    done = run_cli(
        "process",
        "--inbox",
        "inbox",
        "--config",
        str(cfg),
        "--out",
        "output",
        env={"PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert f"找不到收件文件夹 inbox（{tmp_path / 'inbox'}）。请新建这个文件夹" in done.stderr, (
        done.stderr
    )


def test_closed_pipe_is_quiet() -> None:
    environment = {**os.environ, vocab.LAUNCHER_ENV: ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "process", "--help"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=ROOT,
    )
    proc.stdout.close()  # the reader goes away before the help is written, as `| head` does
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 0


# --------------------------------------------------------------------------------------
# 处理.bat
# --------------------------------------------------------------------------------------
def bat_lines() -> list[str]:
    return BAT.read_bytes().decode("utf-8").split("\r\n")


def test_bat_is_crlf_utf8_and_switches_the_console_to_utf8() -> None:
    data = BAT.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b""), "cmd.exe mis-parses labels in LF-only files"
    assert not data.startswith(b"\xef\xbb\xbf"), "a BOM breaks the first command"
    lines = [line.strip().lower() for line in bat_lines()]
    assert lines.index("chcp 65001 >nul") < min(
        i for i, line in enumerate(lines) if line.startswith("echo ") and line != "echo off"
    )


def test_bat_has_no_chinese_before_it_switches_to_utf8() -> None:
    """cmd.exe reads the lines before ``chcp 65001`` in the PC's code page (936 on a Chinese
    Windows): UTF-8 Chinese read as GBK pairs its last byte with the line's end. The 说明 rem
    line stood before chcp; now nothing but ASCII does."""
    data = BAT.read_bytes()
    before = data[: data.index(b"chcp 65001")]
    assert before.isascii(), before
    assert any(not line.isascii() for line in bat_lines())  # the precondition: Chinese after
    # an ASCII ) in an echo inside a ( … ) block ends the block; & | < > anywhere run or
    # redirect the rest of the message: the messages use full-width （）, a path is in quotes
    echoes = [line.strip() for line in bat_lines() if line.strip().lower().startswith("echo ")]
    assert len(echoes) > 10  # the precondition: the messages are there
    for line in echoes:
        unquoted = re.sub(r'"[^"]*"', "", line)
        assert not re.search(r"[&|<>()^]", unquoted), line


def test_bat_calls_only_what_exists() -> None:
    text = "\r\n".join(bat_lines())
    # the tool is run as python -m pipeline (as make does): the console script's .exe holds
    # the absolute path of the venv's Python, and fails once the folder is moved or renamed
    assert 'set "VENV_PY=.venv\\Scripts\\python.exe"' in text
    assert not re.search(r"Scripts\\(?!python\.exe)[\w-]+\.exe", text), text
    assert (ROOT / "pipeline" / "__main__.py").read_text().strip().endswith("console()")
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    calls = re.findall(r'^"%VENV_PY%" -m pipeline (.+)$', text, re.MULTILINE)
    assert calls
    for call in calls:
        command, *rest = call.split()
        assert command in sub.choices
        options = {s for a in sub.choices[command]._actions for s in a.option_strings}
        for flag, value in zip(rest[::2], rest[1::2], strict=True):
            assert flag in options, flag
            if flag in ("--inbox", "--config"):
                assert (ROOT / value).is_dir(), value
    # every goto and call has its label; the set-up installs this project from this folder
    labels = set(re.findall(r"^:(\w+)", text, re.MULTILINE))
    assert set(re.findall(r"goto (\w+)", text)) <= labels
    assert set(re.findall(r"call :(\w+)", text)) <= labels
    assert "--no-index --find-links wheelhouse" in text
    assert "%LIANZHENG_LAUNCHER%" not in text and 'set "LIANZHENG_LAUNCHER=bat"' in text


def test_bat_runs_from_a_network_share_and_tells_an_unpacked_bat_apart() -> None:
    """``cd /d`` cannot enter \\\\server\\share (cmd.exe then ran in C:\\Windows); pushd maps it
    to a drive. Double-clicked inside a zip, Explorer unpacks 处理.bat alone into a temporary
    folder: the set-up failed with pip's English error and 「请把 wheelhouse 放到本文件夹」;
    now it asks to unpack the whole zip first, before anything is installed."""
    lines = [line.strip() for line in bat_lines()]
    assert 'pushd "%~dp0" 2>nul' in lines and not any(
        line.lower().startswith("cd ") for line in lines
    )
    first_setup = min(i for i, line in enumerate(lines) if line.startswith("call :"))
    unpacked = lines.index('if not exist "pyproject.toml" goto notunpacked')
    assert unpacked < first_setup
    message = lines[lines.index(":notunpacked") + 1 : lines.index(":notunpacked") + 3]
    assert any("解压" in line for line in message), message


def _bat_python(label: str) -> str:
    """The Python code of the ``-c "…"`` line under ``label`` of 处理.bat."""
    lines = bat_lines()
    start = lines.index(label)
    line = next(line for line in lines[start:] if ' -c "' in line)
    return re.search(r' -c "(.*?)"(?: >nul|$)', line).group(1)


def test_bat_takes_only_a_python_new_enough_and_rebuilds_a_venv_of_another_python(
    tmp_path: Path,
) -> None:
    """The py launcher may find only Python 3.8 and ``python`` may be the Microsoft Store's
    placeholder: each candidate is asked its version (pyproject's requires-python) before it
    builds .venv, so an old one is 「没有找到 Python 3.11」, not a pip failure blamed on a
    missing wheelhouse. A .venv copied from another PC, or whose Python was upgraded to
    another version, is rebuilt; before, it was used and failed with a launcher error."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "requires-python"
    ]
    lines = bat_lines()
    assert requires == ">=3.11"  # the precondition: the version the bat asks for
    new_enough = _bat_python(":try_python")
    assert "(3, 11)" in new_enough
    assert subprocess.run([sys.executable, "-c", new_enough], check=False).returncode == 0
    tries = [line for line in lines if line.startswith(("call :try_python", "if not defined"))]
    assert any("py -3" in line for line in tries) and any("python" in line for line in tries)
    # the venv check, run on venvs whose pyvenv.cfg says this Python's version or another's
    runs = _bat_python(":venv_runs")
    major, minor = sys.version_info[:2]
    for version, expected in ((f"{major}.{minor}.2", 0), (f"{major}.{minor + 1}.0", 1)):
        env = tmp_path / version
        venv.EnvBuilder(with_pip=False).create(env)
        cfg = env / "pyvenv.cfg"
        cfg.write_text(re.sub(r"(?m)^version\s*=.*$", f"version = {version}", cfg.read_text()))
        python = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        done = subprocess.run([str(python), "-c", runs], check=False, capture_output=True)
        assert done.returncode == expected, (version, done.stderr)
    assert any(line.endswith("rmdir /s /q .venv") for line in lines)


def test_bat_installs_once_when_double_clicked_twice() -> None:
    """Two windows set up at once ran two pip installs into one .venv. The set-up runs holding
    a lock file (open for writing while it runs, so the second window cannot open it and is
    told to wait), and looks again once it holds it."""
    lines = [line.strip() for line in bat_lines()]
    assert 'call :install 9>"%LOCK%"' in lines
    after = lines[lines.index('call :install 9>"%LOCK%"') :]
    assert "if not defined SETUP goto busy" in after[:3]
    install = lines[lines.index(":install") :]
    assert install[1].startswith("rem") and install[2] == "call :ready", install[:3]
    assert "双击了两次" in " ".join(lines[lines.index(":busy") :][:3])


# --------------------------------------------------------------------------------------
# The offline install: a wheelhouse, a fresh venv, no package index
# --------------------------------------------------------------------------------------
def test_wheelhouse_installs_offline_and_runs_the_demo(tmp_path: Path) -> None:
    from pipeline.wheelhouse import build

    wheels = build(tmp_path / "wheelhouse")
    names = {w.name.split("-")[0].lower() for w in wheels}
    assert {"lianzheng_risk", "pandas", "pandera", "python_calamine", "openpyxl"} <= names
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    bindir = target / ("Scripts" if os.name == "nt" else "bin")
    # the office PC's environment: a PYTHONPATH naming a checkout would make pip take the
    # tool as installed already and leave out its command
    dropped = ("MAKELEVEL", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    install = subprocess.run(
        [
            str(bindir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            # compiling every module of pandas and numpy at install costs ~20 s of this test;
            # the run below compiles (and caches) only what it imports
            "--no-compile",
            "--no-index",
            "--find-links",
            str(tmp_path / "wheelhouse"),
            "lianzheng-risk",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert install.returncode == 0, install.stderr
    tool = bindir / "lianzheng-risk"
    environment[vocab.LAUNCHER_ENV] = ""
    helped = subprocess.run(
        [str(tool), "--help"],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert helped.returncode == 0
    assert helped.stdout.startswith("用法：lianzheng-risk"), helped.stdout[:80]
    out = tmp_path / "output"
    done = subprocess.run(
        [str(tool), "process", "--inbox", "inbox", "--config", "config", "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / vocab.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["rows"]["accepted"] > 0
    assert (out / summary["archive"]).is_file()
    # the installed copy is the one that ran, not this checkout
    where = subprocess.run(
        [str(bindir / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
    )
    assert str(target) in where.stdout


@pytest.mark.parametrize("command", ["templates", "demo-data", "prefill", "combine"])
def test_an_out_that_is_a_file_is_told_in_chinese(tmp_path: Path, command: str) -> None:
    """``--out`` naming an existing file (a roster, a workbook) for the commands besides
    process: exit 2 with the Chinese message process gives, not a Python traceback."""
    taken = tmp_path / "名册.xlsx"
    taken.write_bytes(b"PK")
    args = {
        "templates": ["templates"],
        "demo-data": ["demo-data"],
        "prefill": ["prefill", "--config", str(ROOT / "config")],
        "combine": ["combine", str(taken)],
    }[command]
    done = run_cli(*args, "--out", str(taken))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert vocab.OUT_REASON_NOT_FOLDER in done.stderr, done.stderr
    assert taken.read_bytes() == b"PK"


def test_demo_data_refuses_a_negative_number_of_sections_in_chinese(tmp_path: Path) -> None:
    """``--sections -3`` (0 is 自动): exit 2 with a Chinese message naming --sections, not a
    Python traceback from deep in the demo's section sizes."""
    out = tmp_path / "示例"
    assert not out.exists()  # the precondition: nothing written yet
    done = run_cli("demo-data", "--people", "5", "--sections", "-3", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "--sections" in done.stderr, done.stderr
    assert not (out / "inbox").exists()


def test_combine_names_an_archive_that_is_not_there_and_writes_nothing(tmp_path: Path) -> None:
    """A mistyped archive path: exit 2 naming it, not exit 0 with an empty district workbook
    whose 异常清单 blames the file's permissions."""
    typo = tmp_path / "2026_某单位_廉政风险信息档案.xlsx"
    assert not typo.exists()  # the precondition: the path names nothing
    out = tmp_path / "汇总"
    done = run_cli("combine", str(typo), "--out", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "找不到要汇总的档案" in done.stderr and str(typo) in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr
    assert not out.exists()


def test_prefill_told_a_folder_for_last_year_archive_names_the_archive_in_it(
    tmp_path: Path,
) -> None:
    """``--last-archive 上年输出`` (last year's output folder instead of its archive): the
    message says it is a folder and names the archive inside, not 「找不到上年档案」."""
    last_out = tmp_path / "上年 输出"
    last_out.mkdir()
    archive = last_out / "2025_某单位_廉政风险信息档案.xlsx"
    archive.write_bytes(b"PK")
    assert last_out.is_dir()  # the precondition: the option names an existing folder
    done = run_cli(
        "prefill",
        "--config",
        str(ROOT / "config"),
        "--out",
        str(tmp_path / "pre"),
        "--last-archive",
        str(last_out),
    )
    assert done.returncode == 2, done.stderr
    assert "找不到" not in done.stderr, done.stderr
    assert "文件夹" in done.stderr and archive.name in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


def test_demo_data_interrupted_leaves_no_half_inbox_and_runs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while demo-data writes (here: once the inbox is written, before the manifest):
    already 「重新运行即可」 is said, so nothing half-written may stay, and the rerun must not be
    refused because the interrupted run's inbox is there."""
    from pipeline import demo

    out = tmp_path / "示例 数据"
    written = demo._manifest

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "_manifest", interrupted)
    assert cli.main(["demo-data", "--people", "3", "--out", str(out)]) == 130
    assert "已中断" in capsys.readouterr().err
    left = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert left == []
    monkeypatch.setattr(demo, "_manifest", written)
    assert cli.main(["demo-data", "--people", "3", "--out", str(out)]) == 0, capsys.readouterr()
    assert (out / "config" / vocab.ROSTER_FILE).is_file()
    assert any((out / "inbox").iterdir())
    assert sorted(p.name for p in out.iterdir()) == ["config", "inbox", demo.MANIFEST_FILE]


def test_prefill_interrupted_says_its_forms_may_be_partly_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C during prefill after some forms were written: 「本次没有写出新的结果」 is untrue
    (a section's folder is rebuilt form by form); the message says the forms may be partly
    written and to run the same command again before sending them."""
    from pipeline import prefill

    out = tmp_path / "预填 表"
    written = prefill._write
    calls = iter(range(100))

    def interrupted(*args: object, **kwargs: object) -> None:
        if next(calls) == 2:
            raise KeyboardInterrupt
        written(*args, **kwargs)

    monkeypatch.setattr(prefill, "_write", interrupted)
    code = cli.main(["prefill", "--config", str(ROOT / "config"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 130
    assert any(out.rglob("*.xlsx"))  # the precondition: forms were written before the stop
    assert "没有写出新的结果" not in err, err
    assert "已中断" in err and str(out) in err and "重新运行" in err, err


def test_combine_told_a_folder_for_the_expected_list_says_so(tmp_path: Path) -> None:
    """``--expected 名单`` naming a folder: the message says a list file is wanted, not
    「找不到应报单位名单」 for a folder that is there."""
    archives_folder, listing = tmp_path / "各单位档案", tmp_path / "应报 名单"
    archives_folder.mkdir()
    listing.mkdir()
    assert listing.is_dir()  # the precondition: --expected names an existing folder
    done = run_cli(
        "combine", str(archives_folder), "--out", str(tmp_path / "汇总"), "--expected", str(listing)
    )
    assert done.returncode == 2, done.stderr
    assert "找不到" not in done.stderr and "是一个文件夹" in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


@pytest.mark.parametrize("command", ["process", "combine", "prefill"])
def test_a_path_with_a_space_typed_without_quotes_is_told_how_to_quote(
    tmp_path: Path, command: str
) -> None:
    """A clerk types ``--inbox D:/2026 收件箱`` (or drags nothing and types the folder name):
    the shell cuts it into 「D:/2026」 and 「收件箱」. The message names the path and shows the
    command with it in English double quotes. Before, process and prefill said 「无法识别的参数：
    收件箱」, and combine 「找不到要汇总的档案：D:/2026、收件箱」, a path nobody typed."""
    spaced = tmp_path / "2026 收件箱"
    spaced.mkdir()
    (spaced / "张三.xlsx").write_bytes(b"PK")
    first, rest = str(spaced).rsplit(" ", 1)
    assert not Path(first).exists()  # the precondition: the first word names nothing
    out = tmp_path / "out"
    args = {
        "process": ["process", "--inbox", first, rest, "--out", str(out)],
        "combine": ["combine", first, rest, "--out", str(out)],
        "prefill": ["prefill", "--out", str(out), "--last-archive", first, rest],
    }[command]
    done = run_cli(*args, env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"路径「{spaced}」中有空格" in done.stderr, done.stderr
    assert f'"{spaced}"' in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr
    assert not out.exists()


def test_an_unrecognised_word_hints_at_quoting_a_path(tmp_path: Path) -> None:
    """``--out 新 文件夹`` (a folder to be made, so nothing to find): the usage error says that
    a path with a space is quoted."""
    done = run_cli("process", "--out", "新", "文件夹", env={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 2
    assert "无法识别的参数：文件夹" + vocab.CLI_UNRECOGNIZED_HINT in done.stderr, done.stderr


def test_the_command_to_run_again_is_typed_as_windows_takes_it(tmp_path: Path) -> None:
    """The 「请按提示修改后重新运行」 line is copied into cmd.exe as it is: a Chinese path stays
    as written and a path with a space is in English double quotes. Before, every Chinese path
    was wrapped in '…' (shlex.quote), which cmd.exe takes as part of the name."""
    config = tmp_path / "配置 文件夹"
    config.mkdir()
    out = tmp_path / "输出"
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    done = run_cli("process", "--inbox", str(inbox), "--config", str(config), "--out", str(out))
    assert done.returncode == 2
    assert "roster.xlsx" in done.stderr  # the precondition: stopped on the missing roster
    hint = f'process --inbox {inbox} --config "{config}" --out {out}'
    assert hint in done.stderr, done.stderr
    assert "'" not in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["process", "prefill"])
def test_a_roster_kept_under_the_templates_name_is_told_to_be_renamed(
    tmp_path: Path, command: str
) -> None:
    """The office copies input_templates/组织名册.xlsx into config/ and fills it in, keeping its
    name: the message names that file and asks to rename it to roster.xlsx. Before, it said only
    「找不到组织名册 …roster.xlsx」 and 「可复制 input_templates/组织名册.xlsx 填写」 — exactly
    what the office had done — so the run could not be made to work."""
    config = tmp_path / "config"
    done = run_cli("templates", "--out", str(tmp_path / "templates"))
    assert done.returncode == 0, done.stderr
    config.mkdir()
    (template,) = (tmp_path / "templates").glob("组织名册*.xlsx")
    shutil.copy(template, config / template.name)
    (tmp_path / "inbox").mkdir()
    args = {
        "process": ["process", "--inbox", str(tmp_path / "inbox")],
        "prefill": ["prefill"],
    }[command]
    done = run_cli(*args, "--config", str(config), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert f"「{template.name}」" in done.stderr and "改名为 roster.xlsx" in done.stderr, (
        done.stderr
    )
