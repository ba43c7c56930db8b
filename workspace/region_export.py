"""A region's export (/r/<region>/export.zip): a ZIP of the core's region.json (the
region, its partners, members and switched-on plugins) plus the files each plugin
switched on there gives through its ``export_region`` hook.

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

from .activity import record
from .extensions import db
from .models import Region
from .permissions import Action
from .plugins import host
from .regions import bp, get_region


@bp.get("/r/<slug:region>/export.zip")
def export(region: str) -> Response:
    """The region's data as a ZIP: the core's region.json plus each enabled plugin's files."""
    the_region = get_region(region, Action.EDIT)
    plugin_host = host()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("region.json", json.dumps(_region_data(the_region), indent=2))
        enabled = plugin_host.enabled_in(the_region)
        for plugin, files in plugin_host.call_each(
            "export_region", enabled, region=the_region, user=current_user._get_current_object()
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


def _safe_name(filename: str) -> str:
    parts = [re.sub(r"[^\w.-]", "_", part) for part in filename.split("/")]
    return "/".join(part for part in parts if part not in ("", ".", "..")) or "file"


def _region_data(region: Region) -> dict[str, Any]:
    return {
        "slug": region.slug,
        "name": region.name,
        "country": region.country,
        "nuts2": region.nuts2,
        "partners": [
            {
                "name": p.name,
                "short_name": p.short_name,
                "country": p.country,
                "legal_status": p.legal_status.value,
                "role": p.role.value,
            }
            for p in region.partners
        ],
        "members": [
            {"name": m.user.name, "email": m.user.email, "role": m.role.value}
            for m in sorted(region.memberships, key=lambda m: m.user.email)
        ],
        "plugins": sorted(host().enabled_in(region)),
    }
