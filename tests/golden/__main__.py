"""``python -m tests.golden [--update]``: compare a fresh run of the golden body with the kept
files (exit 1 and a diff when they differ), or with ``--update`` rewrite them."""

from __future__ import annotations

import difflib
import sys
import tempfile
from pathlib import Path

from tests.golden import build, dump, stored, update


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        texts = dump(build(Path(tmp)))
    if "--update" in argv:
        update(texts)
        print(f"golden files rewritten: {len(texts)}")
        return 0
    kept = stored()
    differ = sorted(k for k in texts.keys() | kept.keys() if texts.get(k) != kept.get(k))
    for name in differ:
        diff = difflib.unified_diff(
            kept.get(name, "").splitlines(),
            texts.get(name, "").splitlines(),
            f"golden/{name}",
            f"now/{name}",
            lineterm="",
        )
        print("\n".join(diff))
    print(f"{len(differ)} of {len(texts)} golden files differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
