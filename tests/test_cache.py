"""The read cache (SPEC Performance): a rerun does not parse unchanged files again, yet its
outputs are those of a first run; a changed file, changed settings or a damaged cache entry
make the reader parse again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import cache, run
from pipeline.bench import _change_form
from tests import golden
from tests.conftest import make_demo

RUN_TIME = "2026-04-01T09:00:00"


def _outputs(out: Path) -> dict[str, str]:
    """The golden dump without what a rerun rightly changes: its 本轮变化 sheets (compared with
    the run before) and the list of 历次/ folders."""
    texts = {
        k: v
        for k, v in golden.dump(out).items()
        if not k.endswith("/本轮变化.csv") and not k.startswith("历次/")
    }
    if "summary.json" in texts:
        summary = json.loads(texts["summary.json"])
        summary.pop("changes", None)
        texts["summary.json"] = json.dumps(summary, ensure_ascii=False, sort_keys=True)
    if "files.txt" in texts:
        lines = texts["files.txt"].splitlines(keepends=True)
        texts["files.txt"] = "".join(line for line in lines if not line.startswith("历次/"))
    return texts


def _process(root: Path, out: Path) -> dict:
    run.process(root / "inbox", root / "config", out, run_time=RUN_TIME)
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["read_cache"]


@pytest.fixture(scope="module")
def body(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root, _ = make_demo(tmp_path_factory.mktemp("cache"), people=16, seed=5, error_rate=0.2)
    return root


def test_a_rerun_parses_nothing_and_writes_the_same_outputs(body: Path, tmp_path: Path) -> None:
    root = tmp_path / "body"
    shutil.copytree(body, root)
    out = tmp_path / "out"

    first = _process(root, out)
    assert first["hits"] == 0 and first["parsed"] > 10  # every form was parsed
    outputs = _outputs(out)
    assert (out / cache.CACHE_DIR / cache.READ_CACHE_FILE).stat().st_size > 0

    second = _process(root, out)
    assert second == {"hits": first["parsed"], "parsed": 0, "ignored": 0}
    assert _outputs(out) == outputs

    # a fresh output folder (no cache) gives the same outputs too
    _process(root, tmp_path / "fresh")
    assert _outputs(tmp_path / "fresh") == outputs


def test_a_changed_file_alone_is_parsed_again_and_its_change_shows(
    body: Path, tmp_path: Path
) -> None:
    root = tmp_path / "body"
    shutil.copytree(body, root)
    out = tmp_path / "out"
    first = _process(root, out)

    forms = sorted((root / "inbox").rglob("*.xlsx"))
    changed = next(p for p in forms if _change_form(p))
    second = _process(root, out)

    assert second == {"hits": first["parsed"] - 1, "parsed": 1, "ignored": 0}
    catalogue = "\n".join(v for k, v in golden.dump(out).items() if k.endswith(".csv"))
    assert "（修订）" in catalogue  # the cache was not trusted over the file
    assert changed.exists()


def test_reruns_after_changes_keep_giving_a_fresh_runs_outputs(body: Path, tmp_path: Path) -> None:
    # each rerun stores its newly parsed entries beside the cached ones (their texts shared
    # among themselves only): the cache read back later still gives what a fresh run gives
    root = tmp_path / "body"
    shutil.copytree(body, root)
    out = tmp_path / "out"
    first = _process(root, out)
    forms = sorted((root / "inbox").rglob("*.xlsx"))
    assert len(forms) > 2 / cache.RESHARE_FRACTION  # two changes stay under the reshare

    changed: list[Path] = []
    for p in forms:
        if len(changed) < 2 and _change_form(p):
            changed.append(p)
    assert _process(root, out)["parsed"] == 2
    _change_form(changed[0])  # a second edit of the same form
    assert _process(root, out) == {"hits": first["parsed"] - 1, "parsed": 1, "ignored": 0}

    again = _process(root, out)
    assert again == {"hits": first["parsed"], "parsed": 0, "ignored": 0}
    _process(root, tmp_path / "fresh")
    assert _outputs(out) == _outputs(tmp_path / "fresh")


def test_changed_settings_parse_everything_again(body: Path, tmp_path: Path) -> None:
    root = tmp_path / "body"
    shutil.copytree(body, root)
    out = tmp_path / "out"
    first = _process(root, out)

    assert not (root / "config" / "settings.toml").exists()
    (root / "config" / "settings.toml").write_text(
        "[limits]\nmax_cell_chars = 30000\n", encoding="utf-8"
    )
    second = _process(root, out)

    assert second == {"hits": 0, "parsed": first["parsed"], "ignored": 0}


def _entries(path: Path) -> int:
    """The number of files the cache file says it holds (its header line)."""
    header = path.read_bytes().partition(b"\n")[0].split(b"\t")
    return int(header[2])


def test_a_damaged_cache_is_ignored_and_entries_of_gone_files_are_pruned(
    body: Path, tmp_path: Path
) -> None:
    root = tmp_path / "body"
    shutil.copytree(body, root)
    out = tmp_path / "out"
    first = _process(root, out)
    outputs = _outputs(out)
    path = out / cache.CACHE_DIR / cache.READ_CACHE_FILE
    assert _entries(path) == first["parsed"]

    # flip one byte of a stored value (a status): the checksum no longer holds
    data = path.read_bytes()
    at = data.index(b"read", data.index(b"\n"))
    damaged = data[:at] + b"X" + data[at + 1 :]
    assert damaged != data and len(damaged) == len(data)
    path.write_bytes(damaged)

    second = _process(root, out)
    assert second == {"hits": 0, "parsed": first["parsed"], "ignored": first["parsed"]}
    assert _outputs(out) == outputs

    # a removed file's entry leaves the cache
    gone = min((root / "inbox").rglob("*.xlsx"))
    gone.unlink()
    third = _process(root, out)
    assert third["parsed"] == 0
    assert _entries(path) == third["hits"] == first["parsed"] - 1


def test_a_cache_that_names_a_class_is_refused_not_run(body: Path, tmp_path: Path) -> None:
    import pickle

    root = tmp_path / "body"
    shutil.copytree(body, root)
    out = tmp_path / "out"
    first = _process(root, out)
    path = out / cache.CACHE_DIR / cache.READ_CACHE_FILE
    header = path.read_bytes().partition(b"\n")[0].split(b"\t")
    marker = tmp_path / "ran"
    # a pickle that would call os.system when loaded, with a checksum that holds
    payload = pickle.dumps(_Evil(f"touch {marker}"))
    header[3] = cache._checksum(payload).encode()
    header[4] = str(len(payload)).encode()
    path.write_bytes(b"\t".join(header) + b"\n" + payload)

    second = _process(root, out)
    assert not marker.exists()
    assert second["hits"] == 0 and second["parsed"] == first["parsed"]


class _Evil:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.system, (self.command,)
