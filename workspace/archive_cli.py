"""The project archive on the command line: ``flask --app workspace archive export``
writes it (``workspace.archive``), ``archive import`` loads it into an empty instance
(``workspace.archive_import``). A module of its own so that neither side imports
the other."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_login import login_user
from flask_migrate import upgrade
from sqlalchemy import select

from .activity import record
from .archive import ArchiveError, archive_file_name, write_archive
from .archive_import import import_archive
from .extensions import db
from .models import User

archive_cli = AppGroup("archive", help="Export the whole project as one ZIP, or import one.")


@archive_cli.command("export")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: <project>-archive-<date>.zip here).",
)
def export_command(target: Path | None) -> None:
    """Write the project archive: documents, files, audit trail and every table."""
    target = target or Path(archive_file_name())
    admin = db.session.scalar(
        select(User).where(User.is_admin.is_(True), User.active.is_(True)).order_by(User.id)
    )
    partial = target.with_name(f".{target.name}.partial")
    try:
        # Plugins make their files as in a request (links, the reader's rights): as
        # the first administrator, who may read everything.
        with current_app.test_request_context("/"), partial.open("wb") as out:
            if admin is not None:
                login_user(admin)
            counts = write_archive(out, admin)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {target}: {error.strerror}") from None
    record("archive_exported", target="project", via="cli", file=target.name)
    db.session.commit()
    click.echo(
        f"Wrote {target}: {counts.get('document', 0)} documents, "
        f"{counts.get('attachment', 0)} attachments, {counts.get('event', 0)} audit events."
    )


@archive_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything in a database that has data.")
def import_command(source: Path, force: bool) -> None:
    """Load a project archive into this instance, which should be empty. Applies
    the migrations first."""
    upgrade(revision="heads")
    try:
        report = import_archive(source, force=force)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Imported {source.name}: {report.rows.get('document', 0)} documents, "
        f"{report.rows.get('user_account', 0)} accounts, {report.files} files."
    )
    if report.missing_files:
        click.echo(
            f"{report.missing_files} attachment(s) had no file in the archive "
            "(missing on the instance that wrote it); their downloads answer 404."
        )
