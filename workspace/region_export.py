"""A region's export (/r/<region>/export.zip): a ZIP of the core's region.json (the
region, its partners, members and switched-on plugins), the region's documents the
downloading person reads (``documents/<id>-<slug>/``: text, revisions, comments and
attachments, see ``workspace.document_files``) and the files each plugin switched on
there gives through its ``export_region`` hook.

The route joins the ``regions`` blueprint (``regions.bp``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from flask import Response
from flask_login import current_user
from sqlalchemy import select

from .activity import record
from .document_files import document_entries
from .extensions import db
from .models import Document, Region, User
from .permissions import Action, can
from .plugins import host
from .region_facts import partner_facts, region_facts
from .regions import bp, get_region
from .visibility import allowed_by_plugins, switched_on_clause


@bp.get("/r/<slug:region>/export.zip")
def export(region: str) -> Response:
    """The region's data as a ZIP: the core's region.json plus each enabled plugin's files."""
    the_region = get_region(region, Action.EDIT)
    user = current_user._get_current_object()
    plugin_host = host()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("region.json", json.dumps(_region_data(the_region), indent=2))
        for document in _documents(the_region, user):
            for entry in document_entries(document):
                archive.writestr(f"documents/{entry.path}", entry.content)
        enabled = plugin_host.enabled_in(the_region)
        for plugin, files in plugin_host.call_each(
            "export_region", enabled, region=the_region, user=user
        ):
            for export_file in files or ():
                archive.writestr(
                    f"{plugin}/{_safe_name(export_file.filename)}", export_file.content
                )
    record("region_exported", region=the_region)
    db.session.commit()
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        buffer.getvalue(),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{the_region.slug}-{stamp}.zip"'},
    )


def _documents(region: Region, user: User) -> list[Document]:
    """The region's documents the downloading person reads: not deleted, of no plugin
    switched off there, and not hidden by their plugin (a draft's or a record's in the
    trash)."""
    documents = db.session.scalars(
        select(Document)
        .where(
            Document.region_id == region.id,
            Document.deleted_at.is_(None),
            switched_on_clause(),
        )
        .order_by(Document.id)
    )
    return [d for d in allowed_by_plugins(documents, user) if can(user, Action.READ, d.region)]


def _safe_name(filename: str) -> str:
    parts = [re.sub(r"[^\w.-]", "_", part) for part in filename.split("/")]
    return "/".join(part for part in parts if part not in ("", ".", "..")) or "file"


def _region_data(region: Region) -> dict[str, Any]:
    return {
        **region_facts(region),
        "partners": [partner_facts(p) for p in region.partners],
        "plugins": sorted(host().enabled_in(region)),
    }
