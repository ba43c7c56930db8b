"""A new plugin to start from: ``flask --app workspace plugins new NAME [--path DIR]``.

The files live in ``scaffold_files/`` beside this module (package data), laid out as
the plugin's distribution folder. Each file ends in ``.tmpl``, so neither ruff,
pytest nor setuptools takes the templates for code of the core. Paths and contents
are copied with plain string replacement of these tokens (Jinja templates use braces,
so the tokens use none):

- ``__PLUGIN__``: the plugin's name (``webinars``): URL segment, blueprint, table
  prefix, migration branch;
- ``__PACKAGE__``: its import package (``workspace_webinars``);
- ``__DISTRIBUTION__``: its distribution name (``workspace-webinars``);
- ``__LABEL__``: what people read (``Webinars``);
- ``__CORE_REVISION__``: the core's migration head now, which the plugin's first
  migration depends on;
- ``__TODAY__``: the date, for the migration's header.
"""

from __future__ import annotations

import keyword
import re
from datetime import date
from pathlib import Path

from alembic.script import ScriptDirectory

FILES = Path(__file__).with_name("scaffold_files")
SUFFIX = ".tmpl"
CORE_MIGRATIONS = Path(__file__).with_name("migrations")
# Lower case: the name is also a table prefix and a URL segment.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class ScaffoldError(ValueError):
    """The plugin cannot be written as asked; the message says why."""


def check_name(name: str, taken: dict[str, str]) -> None:
    """Refuse a name that is no lower-case Python identifier, or that ``taken`` names
    (name -> why it is taken: the core's pages, an installed plugin...)."""
    if not NAME_PATTERN.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a plugin name: use a lower-case Python identifier "
            "(letters, digits and _, starting with a letter), such as site_visits"
        )
    if name in taken:
        raise ScaffoldError(f"{name!r} is taken: {taken[name]}")


def core_head() -> str:
    """The core's current migration head: what a new plugin branch depends on."""
    heads = ScriptDirectory(str(CORE_MIGRATIONS)).get_heads()
    if len(heads) != 1:
        raise ScaffoldError(f"the core's migrations have {len(heads)} heads: {heads}")
    return heads[0]


def tokens(name: str) -> dict[str, str]:
    return {
        "__PLUGIN__": name,
        "__PACKAGE__": f"workspace_{name}",
        "__DISTRIBUTION__": f"workspace-{name.replace('_', '-')}",
        "__LABEL__": name.replace("_", " ").capitalize(),
        "__CORE_REVISION__": core_head(),
        "__TODAY__": date.today().isoformat(),
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def write(name: str, folder: Path) -> list[Path]:
    """Write the plugin ``name`` into ``folder / name`` (which must not exist yet);
    returns the files written. Check the name with ``check_name`` first."""
    values = tokens(name)
    target = folder / name
    try:
        target.mkdir(parents=True)
    except FileExistsError:
        raise ScaffoldError(f"{target} exists already; nothing was written") from None
    written = []
    for source in sorted(FILES.rglob(f"*{SUFFIX}")):
        relative = _fill(str(source.relative_to(FILES)), values).removesuffix(SUFFIX)
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(source.read_text(encoding="utf-8"), values), encoding="utf-8")
        written.append(path)
    return sorted(written)
