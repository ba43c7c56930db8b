"""Who sees which document: the core's one rule, for pages, lists, search, links and
activity alike.

A document is shown to a reader when
- its plugin (``Document.plugin``, None for a plain document) is installed and, for
  a region's document, switched on in that region: a switch changes what a region
  shows, so a switched-off module's texts there are 404 for everyone, admins too,
  until it is switched on again (project-wide documents stay: they are the
  project's record);
- the reader may read where it lives (``permissions.can(user, "region.read", ...)``);
- the owning plugin's ``document_visible`` hook does not say False (a draft good
  practice, for instance, is its region editors' own).

Plugins' search results and link targets are screened by the plugin host
(``PluginHost.admits``) with the same switch and permission rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    cast,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import load_only

from .extensions import db
from .models import Document, Event, User
from .permissions import Action, can
from .plugins import PluginHost, host
from .worker_cache import per_worker

T = TypeVar("T")


def switched_on_clause(plugin_host: PluginHost | None = None) -> ColumnElement[bool]:
    """SQL: the documents no switch hides (``PluginHost.shows`` as a WHERE clause):
    plain ones, project-wide ones of an installed plugin, and a plugin's ones in the
    regions where it is switched on."""
    if plugin_host is not None and plugin_host is not host():
        return _switched_on_clause(plugin_host)
    # Kept with the switches it is built from: building it was a tenth of a search.
    return per_worker("switched_on_clause", lambda: _switched_on_clause(host()))


def _switched_on_clause(plugin_host: PluginHost) -> ColumnElement[bool]:
    installed = sorted(plugin_host.infos)
    return or_(
        Document.plugin.is_(None),
        and_(Document.region_id.is_(None), Document.plugin.in_(installed)),
        *(
            and_(Document.plugin == name, Document.region_id.in_(sorted(regions)))
            for name in installed
            if (regions := plugin_host.regions_on(name))
        ),
    )


def plugin_allows(document: Document, user: User | None) -> bool:
    """What the owning plugin's ``document_visible`` hook says (True when it has none)."""
    plugin = document.plugin
    if plugin is None:
        return True
    plugin_host = host()
    if plugin not in plugin_host.implementing("document_visible"):
        return True
    answers = plugin_host.call_each("document_visible", [plugin], document=document, user=user)
    return all(answer is not False for _, answer in answers)


# The documents a module's ``document_visible`` is asked about, for a list: the hooks
# read a document's id, module and region (any other column loads when read).
_ASKED_DOCUMENTS = (
    select(Document)
    .options(load_only(Document.plugin, Document.region_id))
    .where(Document.id.in_(bindparam("ids", expanding=True)))
)


def hidden_by_plugins(rows: Iterable[tuple[int, str | None]], user: User | None) -> set[int]:
    """Which of the documents listed as (id, plugin) rows their plugin's
    ``document_visible`` hides from ``user``: for lists read as plain rows, which load
    as objects only the documents a hook is asked about."""
    hooked = host().implementing("document_visible")
    asked = sorted({id_ for id_, plugin in rows if plugin in hooked})
    if not asked:
        return set()
    documents = db.session.scalars(_ASKED_DOCUMENTS, {"ids": asked})
    return {d.id for d in documents if not plugin_allows(d, user)}


def document_shown(document: Document, user: User | None) -> bool:
    """Whether ``user`` sees ``document`` at all (deletion aside)."""
    return (
        host().shows_document(document.plugin, document.region_id)
        and can(user, Action.READ, document.region)
        and plugin_allows(document, user)
    )


def allowed_by_plugins(documents: Iterable[T], user: User | None, of=lambda d: d) -> list[T]:
    """``documents`` (or rows, with ``of`` giving each row's Document) without those
    their plugin's ``document_visible`` hides from ``user``; for lists whose query
    already applied the switches and read permission."""
    hooked = host().implementing("document_visible")
    return [
        item for item in documents if of(item).plugin not in hooked or plugin_allows(of(item), user)
    ]


# ---------------------------------------------------------------- activity

# A document's reference, "doc:12", as SQL.
_DOC_REF = literal_column("'doc:'", String).concat(cast(Document.id, String))


def hidden_events_clause(region_ids: Iterable[int]) -> ColumnElement[bool] | None:
    """SQL: the events, among those of ``region_ids``, that belong to a plugin switched
    off in the event's region, or None when no installed plugin is off in any of them.

    An event belongs to a plugin when its target is one of the plugin's references
    (``"<plugin>:..."``: what plugins pass to ``record``), or one of the documents the
    plugin owns (``"doc:12"``: edits, comments, files and links of its texts).
    Project-wide events (no region) belong to no region's switch and stay."""
    plugin_host = host()
    region_ids = set(region_ids)
    off = {
        name: sorted(region_ids - plugin_host.regions_on(name))
        for name in sorted(plugin_host.infos)
    }
    off = {name: ids for name, ids in off.items() if ids}
    if not off:
        return None
    own_refs = or_(
        *(
            and_(Event.region_id.in_(ids), Event.target.startswith(f"{name}:", autoescape=True))
            for name, ids in off.items()
        )
    )
    their_documents = select(_DOC_REF).where(
        or_(
            *(
                and_(Document.plugin == name, Document.region_id.in_(ids))
                for name, ids in off.items()
            )
        )
    )
    return and_(
        Event.region_id.is_not(None),
        or_(own_refs, Event.target.in_(their_documents)),
    )
