"""Links between objects, by reference: "doc:12" or "<plugin>:<kind>:<id>".

The core stores (source, target, kind) and shows both directions on a page, so a
plugin's back-links ("inspired actions" on a good practice) need no code in the
plugin that is linked to. Plugins offer and describe their objects through the
``link_targets`` and ``describe_refs`` hooks; a reference whose plugin is switched
off or gone, or that the user may not read, shows as unavailable.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError

from .access import get_document
from .activity import record
from .converters import db_int
from .extensions import db
from .hookspecs import LinkTarget
from .models import Document, Link
from .permissions import Action, can
from .plugins import host
from .rendering import render
from .visibility import allowed_by_plugins, document_shown, switched_on_clause

bp = Blueprint("links", __name__, url_prefix="/links")

UNAVAILABLE = _l("Unavailable (its module is off, or you may not open it)")


def _owner(ref: str) -> str:
    return ref.split(":", 1)[0]


def ref_number(ref: str, prefix: str) -> int | None:
    """The row id of a reference such as "doc:12" with ``prefix`` "doc:", or None when
    ``ref`` has another prefix or its number could not be a row id."""
    if not ref.startswith(prefix):
        return None
    try:
        return db_int(ref[len(prefix) :])
    except ValueError:
        return None


def _plausible(ref: str) -> bool:
    """False for a reference whose last part looks like a number (``str.isdigit``, as
    plugins check it) but no row can have it: "…:99999999999999999999", "…:١٢", "…:²".
    Such a reference is unavailable and never reaches a plugin's ``describe_refs``,
    which would hand it to ``int()`` and the database."""
    last = ref.rsplit(":", 1)[-1]
    if not last.isdigit():
        return True  # not a number: the plugin's own kind of id, if any
    try:
        db_int(last)
    except ValueError:
        return False
    return True


def describe(refs: list[str], user) -> dict[str, LinkTarget | None]:
    """Label and address of each reference, or None when it is unavailable."""
    described: dict[str, LinkTarget | None] = dict.fromkeys(refs)
    doc_ids = [n for ref in refs if (n := ref_number(ref, "doc:")) is not None]
    if doc_ids:
        for document in db.session.scalars(select(Document).where(Document.id.in_(doc_ids))):
            if document.deleted_at is None and document_shown(document, user):
                described[document.ref] = _document_target(document)
    by_plugin: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        if not ref.startswith("doc:") and _plausible(ref):
            by_plugin[_owner(ref)].append(ref)
    plugin_host = host()
    active = plugin_host.enabled_anywhere()
    for plugin, plugin_refs in by_plugin.items():
        if plugin not in active:
            continue
        # Screened by the host: targets of a region where the plugin is off, or that
        # the user may not read, are left out, so they show as unavailable.
        for name, answer in plugin_host.call_each(
            "describe_refs", [plugin], refs=plugin_refs, user=user
        ):
            for ref, target in (answer or {}).items():
                if ref in described and _owner(ref) == name:
                    described[ref] = target
    return described


# Built once: every document page runs it.
_LINKS_OF = (
    select(Link)
    .where(or_(Link.source == bindparam("ref"), Link.target == bindparam("ref")))
    .order_by(Link.id)
)


def links_of(ref: str, user) -> dict[str, list[tuple[Link, str, LinkTarget | None]]]:
    """Outgoing ("linked") and incoming ("linked from") links of an object."""
    links = db.session.scalars(_LINKS_OF, {"ref": ref}).all()
    outgoing = [link for link in links if link.source == ref]
    incoming = [link for link in links if link.target == ref]
    refs = sorted({link.target for link in outgoing} | {link.source for link in incoming})
    described = describe(refs, user) if refs else {}
    return {
        "linked": [(link, link.target, described[link.target]) for link in outgoing],
        "linked_from": [(link, link.source, described[link.source]) for link in incoming],
    }


def candidates(query: str, user, exclude: str) -> list[LinkTarget]:
    """Documents and plugin objects matching ``query`` that ``user`` may read."""
    query = query.strip()
    if not query:
        return []
    found = []
    plugin_host = host()
    documents = db.session.scalars(
        select(Document)
        .where(
            Document.deleted_at.is_(None),
            Document.title.ilike(f"%{_escape(query)}%", escape="\\"),
            switched_on_clause(plugin_host),
        )
        .order_by(Document.updated_at.desc())
        .limit(20)
    )
    readable = [d for d in documents if d.ref != exclude and can(user, Action.READ, d.region)]
    found += [_document_target(d) for d in allowed_by_plugins(readable, user)]
    # Screened by the host (PluginHost.admits), like search results.
    for target in plugin_host.collect(
        "link_targets", plugin_host.enabled_anywhere(), query=query, user=user
    ):
        if target.ref != exclude:
            found.append(target)
    return found[:30]


def _document_target(document: Document) -> LinkTarget:
    return LinkTarget(
        document.ref,
        document.title,
        url_for("documents.view", document_id=document.id),
        _("Document"),
        document.region_id,
    )


def _escape(value: str) -> str:
    """The text as a LIKE pattern that matches it literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------------------------------------------------------------- routes (documents)


def _panel(document: Document, status: int = 200) -> Response:
    return render(
        "documents/_links.html",
        status=status,
        document=document,
        links=links_of(document.ref, current_user),
        can_edit=can(current_user, Action.EDIT, document.region),
        unavailable=UNAVAILABLE,
    )


@bp.get("/doc/<id:document_id>/targets")
def targets(document_id: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    query = request.args.get("q", "")[:100]
    return render(
        "documents/_link_targets.html",
        document=document,
        targets=candidates(query, current_user, exclude=document.ref),
        query=query,
    )


@bp.post("/doc/<id:document_id>")
def add(document_id: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    target = request.form.get("target", "")[:120]
    if target == document.ref or describe([target], current_user)[target] is None:
        abort(400)
    db.session.add(Link(source=document.ref, target=target, created_by_id=current_user.id))
    record("link_added", region=document.region, target=document.ref, to=target)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # linked already: the list shows it
    return _panel(document)


@bp.post("/doc/<id:document_id>/<id:link_id>/remove")
def remove(document_id: int, link_id: int) -> Response:
    document = get_document(document_id, Action.EDIT)
    link = db.session.get(Link, link_id)
    if link is None or link.source != document.ref:
        abort(404)
    db.session.delete(link)
    record("link_removed", region=document.region, target=document.ref, to=link.target)
    db.session.commit()
    return _panel(document)
