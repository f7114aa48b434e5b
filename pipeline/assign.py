"""Assign supervisors and the handling measure to graded risk points.

Roles come from ``settings.supervision[level]`` (default: the digest's table). Nobody is
supervised by themselves or by someone at or below their own rank: a role whose holder is the
submitter, ranks no higher, or is vacant passes up the chain 科室负责人 → 分管副主席 → 主席 →
上级监督机构 to the first holder who ranks above the submitter. A unit form is the section head's
responsibility, so its points are escalated as if the head had submitted them. A merged point is
escalated as if its most senior source had submitted it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import frames, normalize, vocab
from pipeline.config import Roster, Settings
from pipeline.frames import text_series
from pipeline.merge import SOURCE_LEVEL_FIELDS, SOURCE_LEVELS

STAFF_RANK = -1
# Extra points columns (not in frames.ASSIGN_COLUMNS): the role (vocab.ROLE_CHAIN) in which
# the computed 直接管理 / 负责领导 supervises the point, for comparing stated supervisors.
ROLE_COLUMNS = {"direct": "direct_role", "leader": "leader_role"}
_CHAIN_RANK = {role: i for i, role in enumerate(vocab.ROLE_CHAIN)}  # head 0 … oversight 3


class Chain:
    """Who holds each role of a section, and how high each person ranks in the body."""

    def __init__(self, roster: Roster) -> None:
        people = roster.people
        # every supervisor is shown as the 人员 sheet spells them: 「王　芳」 typed in the 科室
        # sheet or 「陈 红」 in 单位 is the 王芳 / 陈红 of 提交情况 and of their own points
        listed: dict[str, str] = {}
        for name in normalize.stripped_all(people["name"].tolist()):
            if name:
                listed.setdefault(normalize.fold(name), name)

        def as_listed(value: object) -> str:
            name = normalize.stripped(value)
            return listed.get(normalize.fold(name), name) if name else name

        self.chair = as_listed(roster.chair)
        # A vacant 上级监督机构 still exists: name it by its role.
        self.oversight = normalize.stripped(roster.oversight) or vocab.ROLE_OVERSIGHT
        self.heads: dict[str, str] = {}
        self.vices: dict[str, str] = {}
        for section, head, vice in zip(
            roster.sections["section"].tolist(),
            roster.sections["head"].tolist(),
            roster.sections["vice_chair"].tolist(),
            strict=True,
        ):
            self.heads.setdefault(normalize.fold(section), as_listed(head))
            self.vices.setdefault(normalize.fold(section), as_listed(vice))
        is_head = people["is_head"].fillna(False).astype(bool) if "is_head" in people else None
        if is_head is not None:
            for section, name in zip(
                people.loc[is_head, "section"].tolist(),
                people.loc[is_head, "name"].tolist(),
                strict=True,
            ):
                # The 科室 sheet names the head; the 人员 sheet's flag only fills a blank.
                if not self.heads.get(normalize.fold(section)):
                    self.heads[normalize.fold(section)] = normalize.stripped(name)
        # A head ranks as one in their own section: another section's namesake (two 王芳) is
        # staff. The vice-chairs and the chair rank so body-wide, as does a head whom the 人员
        # sheet does not list in the section they head (where they submit from is unknown).
        self.rank: dict[str, int] = {}
        self.section_rank: dict[tuple[str, str], int] = {}
        members = {
            (normalize.fold(sec), normalize.fold(name))
            for sec, name in zip(people["section"].tolist(), people["name"].tolist(), strict=True)
        }
        heads = list(self.heads.items())
        if is_head is not None:
            heads += [
                (normalize.fold(sec), normalize.stripped(name))
                for sec, name in zip(
                    people.loc[is_head, "section"].tolist(),
                    people.loc[is_head, "name"].tolist(),
                    strict=True,
                )
            ]
        for sec_key, name in heads:
            if not name:
                continue
            if (sec_key, normalize.fold(name)) in members:
                key = (sec_key, normalize.fold(name))
                self.section_rank[key] = max(
                    self.section_rank.get(key, STAFF_RANK), _CHAIN_RANK[vocab.ROLE_HEAD]
                )
            else:
                self._raise(name, _CHAIN_RANK[vocab.ROLE_HEAD])
        for name in self.vices.values():
            self._raise(name, _CHAIN_RANK[vocab.ROLE_VICE])
        self._raise(self.chair, _CHAIN_RANK[vocab.ROLE_CHAIR])

    def _raise(self, name: str, rank: int) -> None:
        if name:
            key = normalize.fold(name)
            self.rank[key] = max(self.rank.get(key, STAFF_RANK), rank)

    def rank_of(self, name: str, section: str = "") -> int:
        """How high ``name`` of ``section`` ranks (a head only in the section they head)."""
        if not name:
            return STAFF_RANK
        key = normalize.fold(name)
        own = self.section_rank.get((normalize.fold(section), key), STAFF_RANK)
        return max(self.rank.get(key, STAFF_RANK), own)

    def holder(self, role: str, section: str) -> str:
        if role == vocab.ROLE_HEAD:
            return self.heads.get(normalize.fold(section), "")
        if role == vocab.ROLE_VICE:
            return self.vices.get(normalize.fold(section), "")
        if role == vocab.ROLE_CHAIR:
            return self.chair
        return self.oversight

    def submitter(self, kind: str, section: str, name: str) -> tuple[str, int]:
        """(person, rank) treated as the submitter of a point."""
        if kind == vocab.UNIT:
            head = self.holder(vocab.ROLE_HEAD, section)
            return head, max(self.rank_of(head, section), _CHAIN_RANK[vocab.ROLE_HEAD])
        return name, self.rank_of(name, section)

    def supervisor(self, role: str, section: str, submitter: str, submitter_rank: int) -> str:
        """The holder of ``role``, or of the first role above it, who ranks above the submitter."""
        return self.supervising(role, section, submitter, submitter_rank)[0]

    def supervising(
        self, role: str, section: str, submitter: str, submitter_rank: int
    ) -> tuple[str, str]:
        """(``supervisor``'s person, the role in which they supervise)."""
        for chain_role in vocab.ROLE_CHAIN[_CHAIN_RANK[role] :]:
            person = self.holder(chain_role, section)
            if not person:
                continue
            if chain_role == vocab.ROLE_OVERSIGHT:
                return person, chain_role  # outside the body: above everyone in it
            rank = max(self.rank_of(person, section), _CHAIN_RANK[chain_role])
            if normalize.fold(person) == normalize.fold(submitter) or rank <= submitter_rank:
                continue
            return person, chain_role
        return self.oversight, vocab.ROLE_OVERSIGHT


def assign(points: pd.DataFrame, roster: Roster, settings: Settings) -> pd.DataFrame:
    """Add direct (直接管理), leader (负责领导) and measure (处置方式) to graded points."""
    df = points.copy(deep=False)  # copy-on-write: the input frame is never changed
    if df.empty:
        for col in (*frames.ASSIGN_COLUMNS, *ROLE_COLUMNS.values()):
            df[col] = pd.Series([], dtype="str")
        return df
    chain = Chain(roster)
    kind = text_series(df["kind"])
    section = text_series(df["section"])
    name = text_series(df["name"])
    level = text_series(df["level"])
    kind, name = _senior_sources(df, kind, name, chain)
    # each distinct (kind, section, name, level) is looked up once
    columns = [s.to_numpy(dtype=object) for s in (kind, section, name, level)]
    codes = np.zeros(len(df), dtype=np.int64)
    for values in columns:
        code = pd.factorize(values)[0]
        codes = pd.factorize(codes * (int(code.max(initial=0)) + 1) + code)[0].astype(np.int64)
    first_row = np.empty(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    first_row[codes[::-1]] = np.arange(len(codes))[::-1]  # the last write (first row) wins
    keys = list(zip(*(values[first_row].tolist() for values in columns)))
    found: dict[tuple[str, str, str, int], tuple[str, str]] = {}

    def supervisor(role: str, k_section: str, who: str, rank: int) -> tuple[str, str]:
        # a staff submitter (rank below every role holder) is never a holder: the answer
        # is the same for everyone of the section
        memo = (role, k_section, who if rank > STAFF_RANK else "", rank)
        if memo not in found:
            found[memo] = chain.supervising(role, k_section, who, rank)
        return found[memo]

    table = {
        col: np.full(len(keys) + 1, "", dtype=object)
        for col in ("direct", "leader", *ROLE_COLUMNS.values())
    }
    for i, (k_kind, k_section, k_name, k_level) in enumerate(keys):
        roles = settings.supervision.get(k_level)
        if roles is None:
            continue
        who, rank = chain.submitter(k_kind, k_section, k_name)
        for col, role_col in ROLE_COLUMNS.items():
            table[col][i], table[role_col][i] = supervisor(roles[col], k_section, who, rank)
    for col, values in table.items():
        df[col] = normalize.text_column(values, codes, df.index)
    measures = {lv: entry["measure"] for lv, entry in settings.supervision.items()}
    df["measure"] = level.map(measures).fillna("").astype("str")
    return df


def _senior_sources(
    df: pd.DataFrame, kind: pd.Series, name: pd.Series, chain: Chain
) -> tuple[pd.Series, pd.Series]:
    """(kind, name) of each point's submitter: for a merged point, its most senior source
    (a unit form's source is its section head's), so that nobody supervises a point they sent
    themselves (a head's unit form repeating a member's point) and nobody below a sender does."""
    if SOURCE_LEVELS not in df:
        return kind, name
    several = np.flatnonzero(df[SOURCE_LEVELS].notna().to_numpy(bool))
    if not len(several):
        return kind, name
    at_section, at_name = SOURCE_LEVEL_FIELDS.index("section"), SOURCE_LEVEL_FIELDS.index("name")
    kinds, names = kind.to_numpy(dtype=object, copy=True), name.to_numpy(dtype=object, copy=True)
    # each distinct (section, name) of the sources is stripped and ranked once
    ranks: dict[tuple[object, object], tuple[tuple[str, str], int]] = {}
    for row, sources in zip(
        several.tolist(), df[SOURCE_LEVELS].iloc[several].tolist(), strict=True
    ):
        best, best_rank = None, STAFF_RANK - 1
        for source in sources:
            raw = (source[at_section], source[at_name])
            found = ranks.get(raw)
            if found is None:
                who = (normalize.stripped(raw[0]), normalize.stripped(raw[1]))
                source_kind = vocab.INDIVIDUAL if who[1] else vocab.UNIT
                found = ranks[raw] = (who, chain.submitter(source_kind, who[0], who[1])[1])
            if found[1] > best_rank:
                best, best_rank = found
        if best is not None:
            kinds[row] = vocab.INDIVIDUAL if best[1] else vocab.UNIT
            names[row] = best[1]
    return (
        pd.Series(kinds, index=kind.index, dtype="str"),
        pd.Series(names, index=name.index, dtype="str"),
    )
