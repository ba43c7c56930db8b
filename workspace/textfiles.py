"""Text files people bring (CSV imports): their encoding found, their cells read whole.

Excel saves "CSV" in the encoding of the Windows it runs on: cp1250 in Hungary and
Poland, cp1257 in Lithuania, cp1252 in Italy and Spain; "CSV UTF-8" with a BOM; "Unicode
text" as UTF-16. charset-normalizer guesses among these; the guess is shown with the
preview and the person can choose another, because a wrong guess garbles names
(Kőszeg, Łódź, Šiauliai) without any error. Cells are read by RFC 4180 (the csv module):
``"Hotel ""Rex"", Rzeszów"`` is one cell.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from charset_normalizer import from_bytes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The encodings offered on a preview, with what a person would call them (lazy: in
# the reader's language).
ENCODINGS: dict[str, str] = {
    "utf_8": "UTF-8",
    "utf_16": _l("UTF-16 (Excel's Unicode text)"),
    "cp1250": _l("Windows Central European (cp1250: Hungarian, Polish, Czech…)"),
    "cp1257": _l("Windows Baltic (cp1257: Lithuanian, Latvian…)"),
    "cp1252": _l("Windows Western (cp1252: Italian, Spanish…)"),
    "iso8859_2": "ISO 8859-2 (Latin-2)",
}
DELIMITERS = (";", ",", "\t")
SINGLE_BYTE = ("cp1250", "cp1257", "cp1252", "iso8859_2")
# Letters of the consortium's languages (and German names), both cases, with the
# typographic marks spreadsheets write.
LETTERS = frozenset(
    "áéíóöőúüű"
    "ąćęłńóśźż"
    "ąčęėįšųūž"
    "àèéìíîòóù"
    "áéíñóúü"
    "äöüß" + "ÁÉÍÓÖŐÚÜŰĄĆĘŁŃŚŹŻČĖĮŠŲŪŽÀÈÌÎÒÙÑÄ" + "€–—‘’“”„«»°·§\u00a0"
)


class TextFileError(ValueError):
    """The file cannot be read as text; the message is shown to the person."""


@dataclass
class DecodedText:
    text: str
    encoding: str  # a key of ENCODINGS
    detected: bool  # True when guessed, False when the person chose it

    @property
    def label(self) -> str:
        return str(ENCODINGS[self.encoding])


def _canonical(name: str) -> str | None:
    try:
        found = codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return None
    aliases = {"utf_8_sig": "utf_8", "utf_16_le": "utf_16", "utf_16_be": "utf_16"}
    found = aliases.get(found, found)
    return found if found in ENCODINGS else None


def _decode(raw: bytes, encoding: str) -> str:
    if encoding == "utf_8":
        return raw.decode("utf_8_sig")
    if encoding == "utf_16" and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf_16_le")
    return raw.decode(encoding).lstrip("\ufeff")


def guess_encoding(raw: bytes) -> str:
    """The most likely of ``ENCODINGS`` for these bytes."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf_8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf_16"
    try:
        raw.decode("utf_8")
        return "utf_8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:4096] and raw[1:4096:2].count(0) > len(raw[1:4096:2]) // 2:
        return "utf_16"
    # Among the single-byte code pages, charset-normalizer ranks the candidates; a
    # short file (a few names) leaves them tied, so the letters the consortium's
    # languages write decide: "Łódź" beats "£ódŸ", "Klaipėda" beats "Klaipëda".
    ranked = [
        name
        for match in from_bytes(raw, cp_isolation=list(SINGLE_BYTE))
        if (name := _canonical(match.encoding)) in SINGLE_BYTE
    ]
    candidates = ranked + [name for name in SINGLE_BYTE if name not in ranked]
    return max(candidates, key=lambda name: (_plausibility(raw, name), -candidates.index(name)))


def _plausibility(raw: bytes, encoding: str) -> int:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return -(10**9)
    score = 0
    for char in text:
        if char.isascii():
            continue
        score += 1 if char in LETTERS else -2
    return score


def decode(raw: bytes, encoding: str | None = None) -> DecodedText:
    """The text of an uploaded file, in ``encoding`` if chosen, else the guessed one."""
    if not raw.strip():
        raise TextFileError(_("The file is empty."))
    chosen = _canonical(encoding) if encoding else None
    if encoding and chosen is None:
        raise TextFileError(_("Choose one of the listed encodings."))
    name = chosen or guess_encoding(raw)
    try:
        text = _decode(raw, name)
    except UnicodeDecodeError:
        raise TextFileError(
            _(
                "The file cannot be read as %(encoding)s; choose another encoding.",
                encoding=ENCODINGS[name],
            )
        ) from None
    if "\x00" in text:
        raise TextFileError(_("The file is not text; save it from the spreadsheet as CSV."))
    return DecodedText(text, name, detected=chosen is None)


def _delimiter(first_line: str) -> str:
    """The separator of the header line: the most frequent outside quoted text."""
    outside, quoted = [], False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(text: str) -> list[tuple[int, list[str]]]:
    """Every row of a CSV text with the line it starts on (RFC 4180, ``;`` ``,`` or TAB)."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    rows = []
    try:
        line = 1
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise TextFileError(
            _("The file is not valid CSV near line %(line)d: %(error)s.", line=line, error=error)
        ) from None
    return rows
