"""Assign supervisors and the handling measure to graded risk points.

Roles come from ``settings.supervision[level]`` (default: the digest's table). Nobody is
supervised by themselves or by someone at or below their own rank: a role whose holder is the
submitter, ranks no higher, or is vacant passes up the chain 科室负责人 → 分管副主席 → 主席 →
上级监督机构 to the first holder who ranks above the submitter. A unit form is the section head's
responsibility, so its points are escalated as if the head had submitted them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import frames, normalize, vocab
from pipeline.config import Roster, Settings
from pipeline.frames import text_series

STAFF_RANK = -1
_CHAIN_RANK = {role: i for i, role in enumerate(vocab.ROLE_CHAIN)}  # head 0 … oversight 3

# A person as the chain knows them: (folded section, folded name). A role holder the 人员 sheet
# does not list is known by name only (section None).
Person = tuple[str | None, str]


class Chain:
    """Who holds each role of a section, and how high each person ranks in the body.

    People are told apart by section and name: a 财务科 clerk who shares a name with 办公室's
    head (or with a vice-chair) is not ranked as one. A role names its holder by name only, so
    the holder is the roster person of that name (the one in the section they lead, for a
    head; the one in the chair's own section, for a vice-chair); when several namesakes remain
    and none is told apart that way, each of them ranks as the holder."""

    def __init__(self, roster: Roster) -> None:
        people = roster.people
        sections = [normalize.fold(s) for s in people["section"].tolist()]
        names = [normalize.fold(n) for n in people["name"].tolist()]
        self._sections_of: dict[str, list[str]] = {}
        for section, name in zip(sections, names, strict=True):
            if name and section not in self._sections_of.setdefault(name, []):
                self._sections_of[name].append(section)
        self.chair = normalize.stripped(roster.chair)
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
            self.heads.setdefault(normalize.fold(section), normalize.stripped(head))
            self.vices.setdefault(normalize.fold(section), normalize.stripped(vice))
        is_head = people["is_head"].fillna(False).astype(bool) if "is_head" in people else None
        flagged: list[Person] = []
        if is_head is not None:
            for section, name in zip(
                people.loc[is_head, "section"].tolist(),
                people.loc[is_head, "name"].tolist(),
                strict=True,
            ):
                # The 科室 sheet names the head; the 人员 sheet's flag only fills a blank.
                if not self.heads.get(normalize.fold(section)):
                    self.heads[normalize.fold(section)] = normalize.stripped(name)
                flagged.append((normalize.fold(section), normalize.fold(name)))
        self._chair_people = self._named(self.chair, None, ())
        leaders = tuple(s for s, _ in self._chair_people if s is not None)
        self._head_people = {s: self._named(h, s, ()) for s, h in self.heads.items()}
        self._vice_people = {s: self._named(v, None, leaders) for s, v in self.vices.items()}
        self.rank: dict[Person, int] = {}
        for person in [*flagged, *(p for ps in self._head_people.values() for p in ps)]:
            self._raise(person, _CHAIN_RANK[vocab.ROLE_HEAD])
        for person in (p for ps in self._vice_people.values() for p in ps):
            self._raise(person, _CHAIN_RANK[vocab.ROLE_VICE])
        for person in self._chair_people:
            self._raise(person, _CHAIN_RANK[vocab.ROLE_CHAIR])

    def _named(self, name: str, home: str | None, preferred: tuple[str, ...]) -> list[Person]:
        """The roster people a role's holder ``name`` means: the one in ``home`` (the section
        a head leads) or in a ``preferred`` section when there is one, else the only one of
        that name, else every namesake; nobody when the role is vacant."""
        key = normalize.fold(name)
        if not key:
            return []
        where = self._sections_of.get(key, [])
        if not where:
            return [(None, key)]
        for section in (home, *preferred):
            if section is not None and section in where:
                return [(section, key)]
        return [(section, key) for section in where]

    def _raise(self, person: Person, rank: int) -> None:
        self.rank[person] = max(self.rank.get(person, STAFF_RANK), rank)

    def rank_of(self, people: list[Person]) -> int:
        return max((self.rank.get(p, STAFF_RANK) for p in people), default=STAFF_RANK)

    def holder(self, role: str, section: str) -> tuple[str, list[Person]]:
        """(name, the roster people it means) of the holder of ``role`` in ``section``."""
        key = normalize.fold(section)
        if role == vocab.ROLE_HEAD:
            return self.heads.get(key, ""), self._head_people.get(key, [])
        if role == vocab.ROLE_VICE:
            return self.vices.get(key, ""), self._vice_people.get(key, [])
        if role == vocab.ROLE_CHAIR:
            return self.chair, self._chair_people
        return self.oversight, []

    def submitter(self, kind: str, section: str, name: str) -> tuple[list[Person], int]:
        """(the people treated as the submitter of a point, their rank)."""
        if kind == vocab.UNIT:
            _head, people = self.holder(vocab.ROLE_HEAD, section)
            return people, max(self.rank_of(people), _CHAIN_RANK[vocab.ROLE_HEAD])
        person = (normalize.fold(section), normalize.fold(name))
        return [person], self.rank_of([person])

    def supervisor(
        self, role: str, section: str, submitter: list[Person], submitter_rank: int
    ) -> str:
        """The holder of ``role``, or of the first role above it, who ranks above the submitter."""
        names = {name for _section, name in submitter}
        for chain_role in vocab.ROLE_CHAIN[_CHAIN_RANK[role] :]:
            person, people = self.holder(chain_role, section)
            if not person:
                continue
            if chain_role == vocab.ROLE_OVERSIGHT:
                return person  # outside the body: above everyone in it
            rank = max(self.rank_of(people), _CHAIN_RANK[chain_role])
            # the submitter themselves: one of the people the role means, or known by name only
            itself = any(p in submitter or (p[0] is None and p[1] in names) for p in people)
            if itself or rank <= submitter_rank:
                continue
            return person
        return self.oversight


def assign(points: pd.DataFrame, roster: Roster, settings: Settings) -> pd.DataFrame:
    """Add direct (直接管理), leader (负责领导) and measure (处置方式) to graded points."""
    df = points.copy(deep=False)  # copy-on-write: the input frame is never changed
    if df.empty:
        for col in frames.ASSIGN_COLUMNS:
            df[col] = pd.Series([], dtype="str")
        return df
    chain = Chain(roster)
    kind = text_series(df["kind"])
    section = text_series(df["section"])
    name = text_series(df["name"])
    level = text_series(df["level"])
    # each distinct (kind, section, name, level) is looked up once
    columns = [s.to_numpy(dtype=object) for s in (kind, section, name, level)]
    codes = np.zeros(len(df), dtype=np.int64)
    for values in columns:
        code = pd.factorize(values)[0]
        codes = pd.factorize(codes * (int(code.max(initial=0)) + 1) + code)[0].astype(np.int64)
    first_row = np.empty(int(codes.max(initial=-1)) + 1, dtype=np.int64)
    first_row[codes[::-1]] = np.arange(len(codes))[::-1]  # the last write (first row) wins
    keys = list(zip(*(values[first_row].tolist() for values in columns)))
    found: dict[tuple[str, str, tuple[Person, ...], int], str] = {}

    def supervisor(role: str, k_section: str, who: list[Person], rank: int) -> str:
        # a staff submitter (rank below every role holder) is never a holder: the answer
        # is the same for everyone of the section
        memo = (role, k_section, tuple(who) if rank > STAFF_RANK else (), rank)
        if memo not in found:
            found[memo] = chain.supervisor(role, k_section, who, rank)
        return found[memo]

    direct = np.empty(len(keys) + 1, dtype=object)
    leader = np.empty(len(keys) + 1, dtype=object)
    direct[-1] = leader[-1] = ""
    for i, (k_kind, k_section, k_name, k_level) in enumerate(keys):
        roles = settings.supervision.get(k_level)
        if roles is None:
            direct[i] = leader[i] = ""
            continue
        who, rank = chain.submitter(k_kind, k_section, k_name)
        direct[i] = supervisor(roles["direct"], k_section, who, rank)
        leader[i] = supervisor(roles["leader"], k_section, who, rank)
    df["direct"] = normalize.text_column(direct, codes, df.index)
    df["leader"] = normalize.text_column(leader, codes, df.index)
    measures = {lv: entry["measure"] for lv, entry in settings.supervision.items()}
    df["measure"] = level.map(measures).fillna("").astype("str")
    return df
