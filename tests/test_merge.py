"""Three-way merge: what is kept from whom, and when it refuses to guess."""

from __future__ import annotations

import random

from workspace.merge import merge3

BASE = "".join(f"line {n}\n" for n in range(1, 11))


def edit(text: str, number: int, new: str) -> str:
    return text.replace(f"line {number}\n", new)


def test_changes_on_distant_lines_are_both_kept():
    mine = edit(BASE, 2, "line 2 by me\n")
    theirs = edit(BASE, 8, "line 8 by them\n")
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert "line 2 by me\n" in result.text and "line 8 by them\n" in result.text
    assert result.text.count("\n") == 10


def test_insertions_and_deletions_merge():
    mine = edit(BASE, 3, "")  # delete line 3
    theirs = BASE + "line 11\n"
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert "line 3\n" not in result.text and result.text.endswith("line 11\n")


def test_the_same_change_on_both_sides_counts_once():
    both = edit(BASE, 5, "line five\n")
    result = merge3(BASE, both, edit(both, 9, "line nine\n"))
    assert result.clean
    assert result.text.count("line five") == 1 and "line nine" in result.text


def test_same_line_changed_differently_is_a_conflict_that_keeps_my_text():
    mine = edit(BASE, 4, "line 4 mine\n")
    theirs = edit(BASE, 4, "line 4 theirs\n")
    result = merge3(BASE, mine, theirs)
    assert not result.clean
    assert result.text == mine
    conflict = result.conflicts[0]
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        "line 4\n",
        "line 4 mine\n",
        "line 4 theirs\n",
    )


def test_neighbouring_lines_conflict_rather_than_guess():
    result = merge3(BASE, edit(BASE, 4, "four\n"), edit(BASE, 5, "five\n"))
    assert not result.clean


def test_text_without_final_newline_and_crlf():
    base = "a\r\nb\r\nc"
    result = merge3(base, "A\nb\nc", "a\nb\nC")
    assert result.clean and result.text == "A\nb\nC"


def test_random_edits_on_separate_halves_always_merge_cleanly():
    rng = random.Random(7)
    lines = [f"row {n}\n" for n in range(40)]
    for _ in range(200):
        mine, theirs = list(lines), list(lines)
        for _ in range(3):
            mine[rng.randrange(0, 18)] = f"mine {rng.random()}\n"
            theirs[rng.randrange(22, 40)] = f"theirs {rng.random()}\n"
        result = merge3("".join(lines), "".join(mine), "".join(theirs))
        assert result.clean
        assert result.text == "".join(mine[:20] + theirs[20:])
