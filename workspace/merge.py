"""Three-way merge of texts, line by line (base, mine, theirs), as ``diff3`` does it.

Changes from both sides are applied when they touch different lines; the same change
made on both sides counts once. Changes to the same or neighbouring lines conflict,
as in git: a merge never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Change:
    start: int  # first base line replaced
    end: int  # one past the last base line replaced (start == end: an insertion)
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    base: str
    mine: str
    theirs: str


@dataclass
class MergeResult:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _changes(base: list[str], other: list[str]) -> list[Change]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        Change(i1, i2, tuple(other[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _touch(a: Change, b: Change) -> bool:
    return a.start <= b.end and b.start <= a.end


def merge3(base: str, mine: str, theirs: str) -> MergeResult:
    """Merge ``mine`` and ``theirs``, both edited from ``base``."""
    if mine == theirs:
        return MergeResult(mine)
    base_lines = _lines(base)
    tagged = sorted(
        [(c, "mine") for c in _changes(base_lines, _lines(mine))]
        + [(c, "theirs") for c in _changes(base_lines, _lines(theirs))],
        key=lambda pair: (pair[0].start, pair[0].end),
    )
    # Group changes that touch each other, transitively.
    groups: list[list[tuple[Change, str]]] = []
    for change, side in tagged:
        if groups and any(_touch(change, other) for other, _ in groups[-1]):
            groups[-1].append((change, side))
        else:
            groups.append([(change, side)])

    out: list[str] = []
    conflicts: list[Conflict] = []
    position = 0
    for group in groups:
        start = min(c.start for c, _ in group)
        end = max(c.end for c, _ in group)
        out.extend(base_lines[position:start])
        sides = {side for _, side in group}
        mine_text = _apply(base_lines, start, end, [c for c, s in group if s == "mine"])
        theirs_text = _apply(base_lines, start, end, [c for c, s in group if s == "theirs"])
        if len(sides) == 1 or mine_text == theirs_text:
            out.extend(mine_text if "mine" in sides else theirs_text)
        else:
            conflicts.append(
                Conflict("".join(base_lines[start:end]), "".join(mine_text), "".join(theirs_text))
            )
            out.extend(mine_text)
        position = end
    out.extend(base_lines[position:])
    return MergeResult("".join(out), conflicts)


def _apply(base: list[str], start: int, end: int, changes: list[Change]) -> list[str]:
    """Base lines start..end with one side's (non-overlapping) changes applied."""
    result: list[str] = []
    position = start
    for change in sorted(changes, key=lambda c: (c.start, c.end)):
        result.extend(base[position : change.start])
        result.extend(change.lines)
        position = change.end
    result.extend(base[position:end])
    return result
