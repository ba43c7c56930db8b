"""Folding text to lower-case ASCII, for comparing what people type without the keys
for every letter: search (``workspace.search``) and the password rule
(``workspace.password_rules``) compare folded text.

A module of its own so that both can import it: search needs the plugin host, and the
plugin host's settings need the forms, which need the password rule.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from text_unidecode import unidecode


def fold(value: str) -> str:
    """Lower-case ASCII, so that "klaipeda" finds "Klaipėda", "lodz" "Łódź" and
    "strasse" "Straße", everywhere.

    Unicode decomposition alone strips accents but leaves letters such as Ł, ß, Ø or
    Æ alone; text-unidecode spells them the way people type them without the key
    (L, ss, O, AE). What is indexed and what is searched for go through this one
    function: changing it means re-folding the index (see migration 0010).
    """
    if value.isascii():
        return value.lower()
    return _fold_unicode(value)


@lru_cache(maxsize=8192)
def _fold_unicode(value: str) -> str:
    # text-unidecode takes about 20 µs a line, and a search folds the same titles and
    # summaries of the plugins' records at every request: keep the answers.
    return unidecode(unicodedata.normalize("NFKD", value)).lower()
