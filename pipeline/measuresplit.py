"""A combined 防控措施 text split on its 前期/中期/后期 labels: plain Python (no pandas), so the
read workers split a measures table's column as validate splits a form's."""

from __future__ import annotations

import re

from pipeline import vocab

_MARKER_KIND = {word: kind for kind, words in vocab.MEASURE_MARKERS.items() for word in words}
_MARKER_WORDS = "|".join(re.escape(w) for w in sorted(_MARKER_KIND, key=len, reverse=True))
# Words that may follow a marker inside a label: 前期预防措施, 事中监控阶段 ...
_LABEL_TAIL = "措施|阶段|环节|防控|方面"
_NUMBERING = (
    r"(?:\d+\s*[.、．)）]"
    r"|[（(]\s*(?:[一二三四五六七八九十]+|\d+)\s*[)）]"
    r"|[一二三四五六七八九十]+\s*[、.．]"
    r"|[一二三四五六七八九十]是"
    r"|[①②③④⑤⑥⑦⑧⑨⑩])"
)
_LABEL = re.compile(
    rf"(?P<num>{_NUMBERING}\s*)?"
    rf"(?P<label>(?:{_MARKER_WORDS})(?:{_MARKER_WORDS}|{_LABEL_TAIL})*)"
    r"(?P<colon>\s*[：:])?(?P<space>[ \t\u3000]+)?"
)
# A label starts a segment: at the start, after a line break or a sentence end (hard), or,
# when it ends with a colon, also after a comma, colon, ellipsis or bracket (soft).
_HARD_BOUNDARY = "\n\r；;。"
_SOFT_BOUNDARY = _HARD_BOUNDARY + "，,、…)）：: \t\u3000"
_SEGMENT_TRIM = " \t\u3000\r\n；;，,、"


def _is_label(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start()]
    prev = before.rstrip(" \t\u3000")[-1:]
    at_hard = prev == "" or prev in _HARD_BOUNDARY
    if match.group("colon"):
        return at_hard or before[-1:] in _SOFT_BOUNDARY or prev in _SOFT_BOUNDARY
    # Without a colon only a numbered item or a label followed by a space counts, and only
    # at the start of a line or sentence: '预防为主，…' is text, '（一）事中 …' a label.
    return at_hard and bool(match.group("num") or match.group("space"))


def split_text(raw: str) -> tuple[str | None, str | None, str | None, bool]:
    """Split a stripped, non-empty combined 防控措施 text into (prevent, monitor, handle,
    split_ok).

    Each label from ``vocab.MEASURE_MARKERS`` ('前期预防：', '1.事前：', '（一）事中 ', …) starts
    a segment; text before the first label goes with the first. Without any label the whole
    text goes to prevent and ``split_ok`` is False.
    """
    labels = [m for m in _LABEL.finditer(raw) if _is_label(raw, m)]
    if not labels:
        return raw, None, None, False
    parts: dict[str, list[str]] = {kind: [] for kind in vocab.MEASURE_MARKERS}
    lead = raw[: labels[0].start()].strip(_SEGMENT_TRIM)
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(raw)
        body = raw[match.end() : end].strip(_SEGMENT_TRIM)
        first_word = re.match(_MARKER_WORDS, match.group("label"))
        kind = _MARKER_KIND[first_word.group(0)]  # type: ignore[union-attr]
        if i == 0 and lead:
            body = f"{lead}\n{body}" if body else lead
        if body:
            parts[kind].append(body)
    out = tuple("\n".join(p) if p else None for p in parts.values())
    return out[0], out[1], out[2], True
