"""The project archive as an admin's download (/admin/archive.zip): the same ZIP
``flask --app workspace archive export`` writes (see ``workspace.archive``)."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, send_file
from flask_login import current_user

from .activity import record
from .archive import archive_file_name, write_archive
from .extensions import db
from .permissions import Action, require

bp = Blueprint("archive", __name__, url_prefix="/admin")


@bp.before_request
def admins_only() -> None:
    require(Action.ADMIN)


@bp.get("/archive.zip")
def download() -> Response:
    """The whole project as a ZIP, recorded in the audit trail."""
    # On disk, not in memory: the attachments may add up to gigabytes. The file is
    # gone once the response is sent (an unnamed temporary file).
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response)
    write_archive(spool, current_user._get_current_object())
    spool.seek(0)
    name = archive_file_name()
    record("archive_exported", target="project", file=name)
    db.session.commit()
    return send_file(
        spool, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0
    )
