"""PostgreSQL's client tools (pg_dump, pg_restore) for backups of a PostgreSQL instance.

A dump is only as good as the tool that wrote it: a pg_dump older than the server
cannot dump it, and a custom-format dump from a newer one may not load with the
server's own pg_restore. So each tool is taken in the server's major version, from
Debian's versioned folder first, then from PATH, and a clear message says which
version to install when neither fits. The password goes through PGPASSWORD, never
on the command line, where any user of the host could read it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import click
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

# Where Debian and Ubuntu install each major version's client tools side by side.
VERSIONED_BIN = "/usr/lib/postgresql/{major}/bin"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def server_major(connection: Connection) -> int:
    """The database server's major version (15 for 15.18)."""
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def tool_major(path: str) -> int | None:
    """The major version a client tool reports, or None when it does not say."""
    try:
        # The path is one of two fixed places (find_tool), never typed by a user.
        answer = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = _VERSION.search(answer.stdout)
    return int(found.group(1)) if found else None


def find_tool(name: str, major: int) -> str:
    """The path of ``name`` (pg_dump, pg_restore) in the server's major version."""
    install = f"install it with: apt-get install postgresql-client-{major}"
    candidates = [str(Path(VERSIONED_BIN.format(major=major)) / name), shutil.which(name)]
    seen = []
    for path in dict.fromkeys(c for c in candidates if c and os.access(c, os.X_OK)):
        found = tool_major(path)
        if found == major:
            return path
        seen.append(f"{path} is version {found or 'unknown'}")
    if not seen:
        raise click.ClickException(
            f"{name} is not installed; the database server is PostgreSQL {major}, so "
            f"{name} {major} is needed ({install})."
        )
    raise click.ClickException(
        f"{name} {major} is needed for the database server, PostgreSQL {major}, but "
        f"{'; '.join(seen)} ({install})."
    )


def libpq_target(sqlalchemy_url: str) -> tuple[str, dict[str, str]]:
    """The libpq address of a SQLAlchemy URL (``postgresql+psycopg://`` becomes
    ``postgresql://``), without its password, and the environment carrying it."""
    url = make_url(sqlalchemy_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None)
    return address.render_as_string(hide_password=False), env


def run(command: list[str], env: dict[str, str], what: str) -> None:
    """Run a client tool; a failure becomes a clear message with the tool's own words."""
    # A list of arguments, no shell: a database name cannot become a command.
    answer = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if answer.returncode != 0:
        said = answer.stderr.strip().splitlines()[-5:]
        raise click.ClickException(f"{what} failed: " + " / ".join(said or ["no message"]))
