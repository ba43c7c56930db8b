"""The message catalogs: extracted from the code, kept per language, checked by
``make test``.

    python -m workspace.catalogs update    # extract, then add new texts to every .po
    python -m workspace.catalogs compile   # .po -> .mo (``make catalogs``)
    python -m workspace.catalogs check     # fail on a text untranslated, fuzzy or stale

For translators, a work list instead of editing .po files by hand:

    python -m workspace.catalogs todo pl > pl.tsv    # what Polish still lacks, numbered
    python -m workspace.catalogs fill pl pl.tsv      # the numbered lines, translated

A line of the work list is ``<catalog>:<n>``, a tab and the English text (a plural:
singular, tab, plural; a context: ``context|text``); line breaks are written ``\\n``.
Answer with the same key, a tab and the translation (a plural: every form, tab-separated,
in the order of the catalog's Plural-Forms).

Each takes plugin package folders after the command to work on those alone (a plugin
of your own: ``python -m workspace.catalogs update path/to/workspace_webinars``).

One catalog for the core (``workspace/`` and ``templates/`` -> ``translations/``) and one
per built-in plugin (``plugins/<name>/`` -> ``plugins/<name>/translations/``), each with
a ``messages.pot`` and ``<language>/LC_MESSAGES/messages.po`` for every language but
English, which is the source. Catalogs carry no line numbers, so moving code does not
change them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("**/tests/**", "ignore"),
    ("**/static/**", "ignore"),
    ("**/migrations/**", "ignore"),
    ("**.py", "python"),
    ("**.html", "jinja2"),
    ("**.txt", "jinja2"),
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
OPTIONS = {"**.html": {"trimmed": "true"}, "**.txt": {"trimmed": "true"}}
# Written into every catalog's header instead of "now", so an update that finds no new
# text changes no file.
STAMP = datetime(2026, 12, 3, tzinfo=UTC)
HEADER = {
    "project": "InterVentures Workspace",
    "copyright_holder": "the InterVentures Workspace authors",
    "charset": "utf-8",
    "fuzzy": False,
    "creation_date": STAMP,
    "revision_date": STAMP,
}
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class Domain:
    name: str
    sources: tuple[Path, ...]
    folder: Path

    def po(self, language: str) -> Path:
        return self.folder / language / "LC_MESSAGES" / "messages.po"


def domains(folders: list[str] | None = None) -> list[Domain]:
    if folders:
        return [
            Domain(Path(f).resolve().name, (Path(f).resolve(),), Path(f).resolve() / "translations")
            for f in folders
        ]
    found = [Domain("core", (ROOT / "workspace", ROOT / "templates"), ROOT / "translations")]
    for plugin in sorted((ROOT / "plugins").iterdir()):
        if (plugin / "__init__.py").exists():
            found.append(Domain(plugin.name, (plugin,), plugin / "translations"))
    return found


def extract(domain: Domain) -> Catalog:
    catalog = Catalog(**HEADER)
    for source in domain.sources:
        for _file, _line, message, comments, context in extract_from_dir(
            source,
            METHODS,
            options_map=OPTIONS,
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        ):
            catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _write(path: Path, catalog: Catalog) -> None:
    buffer = BytesIO()
    write_po(buffer, catalog, omit_header=False, no_location=True, sort_output=True, width=88)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update(folders: list[str] | None = None) -> None:
    for domain in domains(folders):
        template = extract(domain)
        if not len(template):
            continue
        _write(domain.folder / "messages.pot", template)
        for language in TRANSLATED:
            path = domain.po(language)
            if path.exists():
                catalog = _read(path, language)
            else:
                catalog = Catalog(locale=Locale.parse(language), **HEADER)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            _write(path, catalog)
        print(f"{domain.name}: {len(template)} texts")


def compile_all(folders: list[str] | None = None) -> None:
    for domain in domains(folders):
        for language in TRANSLATED:
            path = domain.po(language)
            if path.exists():
                with path.with_suffix(".mo").open("wb") as handle:
                    write_mo(handle, _read(path, language), use_fuzzy=False)


def problems(folders: list[str] | None = None) -> list[str]:
    """What keeps the catalogs from being complete and current, one line each."""
    found = []
    for domain in domains(folders):
        template = extract(domain)
        wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
        for language in TRANSLATED if len(template) else ():
            path = domain.po(language)
            if not path.exists():
                found.append(
                    f"{path.relative_to(ROOT)}: missing (python -m workspace.catalogs update)"
                )
                continue
            catalog = _read(path, language)
            have = {}
            for message in catalog:
                if message.id:
                    key = (
                        message.context,
                        message.id if isinstance(message.id, str) else message.id[0],
                    )
                    have[key] = message
            where = _shown(path)
            for key in sorted(wanted - have.keys(), key=str):
                found.append(f"{where}: not in the catalog (run update): {key[1]!r}")
            for key in sorted(have.keys() - wanted, key=str):
                found.append(f"{where}: no longer in the code (run update): {key[1]!r}")
            for key, message in sorted(have.items(), key=lambda item: str(item[0])):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if not all(strings):
                    found.append(f"{where}: untranslated: {key[1]!r}")
                elif message.fuzzy:
                    found.append(f"{where}: fuzzy (check, then drop the flag): {key[1]!r}")
            for key, message in sorted(have.items(), key=lambda item: str(item[0])):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                # A translation is trusted markup (it may sit in an attribute): it brings
                # no quote or tag that its English text does not have.
                for mark in ('"', "<", ">"):
                    if any(mark in text for text in strings) and not any(mark in i for i in ids):
                        found.append(f"{where}: {mark} that the English has not: {key[1]!r}")
            for message, errors in catalog.check():
                for error in errors:
                    found.append(f"{where}: {message.id!r}: {error}")
    return found


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def _missing(domain: Domain, language: str) -> tuple[Catalog, list]:
    catalog = _read(domain.po(language), language)
    wanted = [
        message
        for message in catalog
        if message.id
        and not all(message.string if isinstance(message.string, tuple) else (message.string,))
    ]
    wanted.sort(key=lambda m: (m.context or "", str(m.id)))
    return catalog, wanted


def todo(language: str, folders: list[str] | None = None) -> list[str]:
    lines = []
    for domain in domains(folders):
        if not domain.po(language).exists():
            continue
        catalog, wanted = _missing(domain, language)
        for number, message in enumerate(wanted, 1):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            text = "\t".join(_escape(part) for part in ids)
            if message.context:
                text = f"{_escape(message.context)}|{text}"
            lines.append(f"{domain.name}:{number}\t{text}")
    return lines


def fill(language: str, answers: Path, folders: list[str] | None = None) -> int:
    given: dict[str, list[str]] = {}
    for line in answers.read_text(encoding="utf-8").splitlines():
        key, _tab, rest = line.partition("\t")
        if rest:
            given[key.strip()] = [_unescape(part) for part in rest.split("\t")]
    filled = 0
    for domain in domains(folders):
        if not domain.po(language).exists():
            continue
        catalog, wanted = _missing(domain, language)
        for number, message in enumerate(wanted, 1):
            forms = given.get(f"{domain.name}:{number}")
            if not forms:
                continue
            if isinstance(message.id, tuple):
                count = catalog.num_plurals
                forms = (forms + [forms[-1]] * count)[:count]
                message.string = tuple(forms)
            else:
                message.string = forms[0]
            filled += 1
        _write(domain.po(language), catalog)
    return filled


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    folders = argv[1:] or None
    if command == "update":
        update(folders)
    elif command == "compile":
        compile_all(folders)
    elif command == "todo":
        print("\n".join(todo(argv[1], argv[2:] or None)))
    elif command == "fill":
        print(f"{fill(argv[1], Path(argv[2]), argv[3:] or None)} texts translated")
    elif command == "check":
        found = problems(folders)
        for line in found:
            print(line)
        if found:
            print(f"\n{len(found)} catalog problems")
            return 1
        print("catalogs complete and current")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
