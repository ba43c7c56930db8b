"""Which new passwords are accepted: one rule for every place a password is chosen.

``password_refusal`` returns, in plain words, why a password is refused, or None.
The set-password and change-password forms call it through their validator
(``workspace.forms.acceptable_password``), the ``flask`` commands that set a password
call it directly. Hashing stays in ``workspace.passwords`` (scrypt).

The rule, checked in this order:

1. Length: at least ``PASSWORD_MIN_LENGTH`` characters (a setting, 8 by default) and
   at most ``MAX_LENGTH``, so nobody makes the server hash megabytes.
2. More than two different characters (no "        " or "abababab").
3. Not one of the most used passwords: the 30,000 of zxcvbn's list (see
   ``common_passwords``). Compared folded (case and accents ignored), and also with
   up to 8 digits, symbols or spaces before the first letter or after the last one
   cut off ("Password1!", "2024password"), with spaces and punctuation inside
   removed ("pass word") and with look-alike characters read as letters
   ("p4ssw0rd", "$ecret": @ 4 a, 3 e, 1 ! i, 1 ! l, 0 o, $ 5 s, 7 t).
4. Not built from the account or the project: compared folded, spaces and
   punctuation ignored, with words of at least ``MIN_WORD`` letters only. A
   password may not *contain* the account's name or a part of it, its e-mail
   address's local part or a part of it, a label of its e-mail domain, the project's
   name, a region's slug, or a whole name of its organisation or its regions
   ("klaipedacity" for "Klaipėda City"). Ordinary words of those organisation and
   region names ("European", "Development") only refuse a password *mostly made of*
   them: fewer than ``MIN_WORD`` letters, or less than half of it, left without them.
   So "correct horse battery staple" is fine for Anna Kovács at any partner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .folding import fold
from .models import User
from .numbers import format_number

MAX_LENGTH = 1024
# Shorter words are left out of the account's words: "Li" or "ID" turn up by chance.
MIN_WORD = 4

CONTEXT = _l(
    "A password may not be built from your name, e-mail address, organisation, "
    "region or the project's name."
)
TOO_FEW_CHARACTERS = _l("Use more than two different characters.")

# From the first letter to the last one.
_LETTERS = re.compile(r"[a-z](?:.*[a-z])?")
# How many digits or symbols added before or after a common password are seen
# through: "password2024!!" is "password" with 6 added.
_AFFIX = 8
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# "1" reads as "i" in "passw1rd" but as "l" in "1etmein": both are tried.
_LOOK_ALIKES = tuple(
    str.maketrans({"@": "a", "4": "a", "3": "e", "0": "o", "$": "s", "5": "s", "7": "t", **one})
    for one in ({"1": "i", "!": "i"}, {"1": "l", "!": "l"})
)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords, lower-case, from the leaked password sets
    ranked by zxcvbn (Dropbox's strength estimator; the MIT-licensed Python port on
    PyPI, a dependency). Loaded on first use, once per process: it is not needed
    for anything but choosing a password."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_refusal(password: str, account: User | None = None) -> str | None:
    """Why ``password`` may not be chosen (for ``account``, when there is one), or
    None when it may. Reads the ``PASSWORD_MIN_LENGTH`` and ``PROJECT_NAME`` settings."""
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if len(password) < minimum:
        return ngettext(
            "Use at least %(count)s character.",
            "Use at least %(count)s characters.",
            minimum,
            count=format_number(minimum, 0),
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "Use at most %(count)s character.",
            "Use at most %(count)s characters.",
            MAX_LENGTH,
            count=format_number(MAX_LENGTH, 0),
        )
    if len(set(password)) <= 2:
        return str(TOO_FEW_CHARACTERS)
    folded = fold(password)
    if _is_common(folded):
        count = len(common_passwords())
        return ngettext(
            "This password is among the %(count)s most used ones (adding digits or symbols, "
            "or writing 0 for o, does not change that): choose another.",
            "This password is among the %(count)s most used ones (adding digits or symbols, "
            "or writing 0 for o, does not change that): choose another.",
            count,
            count=format_number(count, 0),
        )
    if _built_from_context(_NOT_ALPHANUMERIC.sub("", folded), account):
        return str(CONTEXT)
    return None


def _is_common(folded: str) -> bool:
    common = common_passwords()
    for cut in _cuts(folded):
        for text in (cut, *(cut.translate(table) for table in _LOOK_ALIKES)):
            if text in common or _NOT_ALPHANUMERIC.sub("", text) in common:
                return True
    return False


def _cuts(folded: str) -> Iterator[str]:
    """``folded``, and each part of it from its first letter to its last with up to
    ``_AFFIX`` of the characters around them on either side ("$ecret12": "$ecret12",
    "$ecret1", "$ecret", "ecret12", "ecret1", "ecret"). The look-alikes are read
    after the cut, so "$" may stay an "s" while "12" goes."""
    yield folded
    letters = _LETTERS.search(folded)
    if letters is None:
        return
    start, end = letters.span()
    for first in range(max(0, start - _AFFIX), start + 1):
        for last in range(end, min(len(folded), end + _AFFIX) + 1):
            yield folded[first:last]


def _built_from_context(compact: str, account: User | None) -> bool:
    names, words = _context_words(account)
    if any(name in compact for name in names):
        return True
    found = sorted((word for word in words if word in compact), key=len, reverse=True)
    if not found:
        return False
    rest = re.sub("|".join(map(re.escape, found)), "", compact)
    letters = sum(c.isalpha() for c in rest)
    return letters < MIN_WORD or 2 * len(rest) < len(compact)


def _context_words(account: User | None) -> tuple[set[str], set[str]]:
    """The strings a password may not contain, and the ordinary words it may not be
    mostly made of; folded, without spaces or punctuation."""
    names: set[str] = set()
    words: set[str] = set()

    def add(text: str | None, *, parts_are_names: bool) -> None:
        parts = re.findall(r"[a-z0-9]+", fold(text or ""))
        names.add("".join(parts))
        (names if parts_are_names else words).update(parts)

    add(current_app.config["PROJECT_NAME"], parts_are_names=True)
    if account is not None:
        add(account.name, parts_are_names=True)
        local, _, domain = (account.email or "").partition("@")
        add(local, parts_are_names=True)
        for label in domain.split(".")[:-1]:  # not the top-level domain
            add(label, parts_are_names=True)
        regions = {membership.region for membership in account.memberships}
        if account.partner is not None:
            add(account.partner.name, parts_are_names=False)
            add(account.partner.short_name, parts_are_names=False)
            regions.add(account.partner.region)
        for region in regions - {None}:
            add(region.slug, parts_are_names=True)
            add(region.name, parts_are_names=False)
    names = {name for name in names if len(name) >= MIN_WORD}
    return names, names | {word for word in words if len(word) >= MIN_WORD}
