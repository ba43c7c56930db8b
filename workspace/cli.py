"""Command line: ``flask --app workspace init | demo | user ... | plugins ...``."""

from __future__ import annotations

import secrets
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from . import backup, scaffold
from . import demo as demo_data
from .activity import record
from .archive_cli import archive_cli
from .extensions import db
from .invitations import invite
from .models import Partner, Region, User
from .password_rules import password_refusal
from .passwords import normalise_email, set_password
from .plugins import CORE_REF_PREFIXES, ENTRY_POINT_GROUP, RESERVED_NAMES, host
from .sessions import end_all

user_cli = AppGroup("user", help="Create and manage accounts.")
plugins_cli = AppGroup("plugins", help="List plugins and switch them per region.")


def _acceptable(password: str, account: User | None = None) -> str:
    """The password rule of the forms (``workspace.password_rules``), for a command."""
    reason = password_refusal(password, account)
    if reason:
        raise click.BadParameter(reason)
    return password


@click.command("init")
@with_appcontext
@click.option("--admin-email", help="E-mail of the first administrator.")
@click.option("--admin-name", default="Administrator", show_default=True)
def init_command(admin_email: str | None, admin_name: str) -> None:
    """Apply database migrations; create the first administrator if there is none."""
    upgrade(revision="heads")  # the core and every plugin branch
    if db.session.scalar(select(User).where(User.is_admin.is_(True))) is not None:
        click.echo("Database is up to date; an administrator exists.")
        return
    email = normalise_email(admin_email or click.prompt("E-mail of the first administrator"))
    user = User(email=email, name=admin_name, is_admin=True)
    password = click.prompt(
        "Password",
        hide_input=True,
        confirmation_prompt=True,
        value_proc=lambda typed: _acceptable(typed, user),
    )
    set_password(user, password)
    db.session.add(user)
    record("user_created", actor=user, target="cli")
    db.session.commit()
    click.echo(f"Administrator {email} created.")


@click.command("demo")
@with_appcontext
@click.option("--password", help="Password of every demo account (default: a random one).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has any account.")
def demo_command(password: str | None, if_empty: bool) -> None:
    """Load the InterVentures demo: 8 partners, 5 regions, one login per role."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database has accounts already; the demo is not loaded again.")
        _echo_existing_demo_logins()
        return
    if password is not None:
        # The same rule, without an account: every demo login shares the password.
        _acceptable(password)
    password = password or secrets.token_urlsafe(9)
    if not demo_data.load(password):
        click.echo("The demo is loaded already; nothing changed.")
        return
    click.echo("Demo logins:")
    for email, what in demo_data.demo_logins():
        click.echo(f"  {email:34} {what}")
    click.echo(f"Password of every demo account: {password}")
    click.echo("(shown once; reset one with: flask --app workspace user set-password EMAIL)")


def _echo_existing_demo_logins() -> None:
    emails = [email for email, _ in demo_data.demo_logins()]
    existing = set(
        db.session.scalars(select(User.email).where(User.email.in_(emails), User.active))
    )
    if existing:
        click.echo("Demo logins (the password was shown when the demo was loaded):")
        for email, what in demo_data.demo_logins():
            if email in existing:
                click.echo(f"  {email:34} {what}")


@user_cli.command("create")
@click.argument("email")
@click.option("--name", help="Full name (default: the part of the e-mail before @).")
@click.option("--admin", is_flag=True, help="Give administrator rights.")
@click.option("--partner", "partner_short", help="Short name of the partner organisation.")
@click.option(
    "--base-url",
    help="Address of the site, for the set-password link (printed and e-mailed); "
    "default: the BASE_URL setting.",
)
def create_user(
    email: str, name: str | None, admin: bool, partner_short: str | None, base_url: str | None
) -> None:
    """Create an account, queue its invitation e-mail and print the one-time link to set
    its password (to hand over another way)."""
    email = normalise_email(email)
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise click.ClickException(f"an account with {email} exists already")
    partner = None
    if partner_short:
        partner = db.session.scalar(select(Partner).where(Partner.short_name == partner_short))
        if partner is None:
            raise click.BadParameter(f"no partner with short name {partner_short!r}")
    user = User(email=email, name=name or email.split("@")[0], is_admin=admin, partner=partner)
    db.session.add(user)
    db.session.flush()
    record("user_created", target=f"user:{user.id}", via="cli")
    site = (base_url or current_app.config["BASE_URL"]).rstrip("/")
    link = invite(user, lambda token: f"{site}/set-password/{token}", None)
    db.session.commit()
    click.echo(f"Created {email}{' (administrator)' if admin else ''}.")
    click.echo(f"Invitation queued for {email} (the mail worker sends it).")
    click.echo(f"Hand over this one-time link: {link}")


@user_cli.command("set-password")
@click.argument("email")
@click.password_option()
def set_password_command(email: str, password: str) -> None:
    """Set a new password for an account (signs out its open sessions)."""
    user = _user(email)
    _acceptable(password, user)
    set_password(user, password)
    record("password_set", target=f"user:{user.id}", via="cli")
    db.session.commit()
    click.echo(f"Password of {user.email} is set.")


@user_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Deactivate an account; its open sessions stop working at once."""
    user = _user(email)
    user.active = False
    user.session_version += 1
    end_all(user)
    record("user_deactivated", target=f"user:{user.id}", via="cli")
    db.session.commit()
    click.echo(f"{user.email} is deactivated.")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account with {email}")
    return user


@plugins_cli.command("list")
def list_plugins() -> None:
    """Show installed plugins and the regions where each is switched on."""
    plugin_host = host()
    if not plugin_host.names:
        click.echo("No plugins are installed.")
        return
    regions = db.session.scalars(select(Region).order_by(Region.slug)).all()
    for name in plugin_host.names:
        info = plugin_host.infos[name]
        on = [r.slug for r in regions if name in plugin_host.enabled_in(r)]
        click.echo(f"{name:16} {info.label}: {', '.join(on) or 'switched off everywhere'}")


def _switch(name: str, region_slugs: tuple[str, ...], all_regions: bool, enabled: bool) -> None:
    plugin_host = host()
    if name not in plugin_host.infos:
        raise click.BadParameter(
            f"no plugin named {name!r}; installed: {', '.join(plugin_host.names) or 'none'}",
            param_hint="NAME",
        )
    if all_regions:
        regions = db.session.scalars(select(Region).order_by(Region.slug)).all()
    elif region_slugs:
        regions = []
        for slug in region_slugs:
            region = db.session.scalar(select(Region).where(Region.slug == slug))
            if region is None:
                raise click.BadParameter(f"no region {slug!r}", param_hint="--region")
            regions.append(region)
    else:
        raise click.UsageError("name a region with --region SLUG, or use --all")
    for region in regions:
        changed = plugin_host.set_enabled(region, name, enabled, None)
        state = "on" if enabled else "off"
        click.echo(f"{name} {state} in {region.slug}{'' if changed else ' (already)'}")
    db.session.commit()


_region_option = click.option("--region", "region_slugs", multiple=True, help="Region slug.")
_all_option = click.option("--all", "all_regions", is_flag=True, help="Every region.")


@plugins_cli.command("enable")
@click.argument("name")
@_region_option
@_all_option
def enable_plugin(name: str, region_slugs: tuple[str, ...], all_regions: bool) -> None:
    """Switch a plugin on for regions."""
    _switch(name, region_slugs, all_regions, True)


@plugins_cli.command("disable")
@click.argument("name")
@_region_option
@_all_option
def disable_plugin(name: str, region_slugs: tuple[str, ...], all_regions: bool) -> None:
    """Switch a plugin off for regions; its data is kept."""
    _switch(name, region_slugs, all_regions, False)


@plugins_cli.command("new")
@click.argument("name")
@click.option(
    "--path",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Folder to write the plugin's folder NAME into.",
)
def new_plugin(name: str, folder: Path) -> None:
    """Write a new plugin to start from, in DIR/NAME: a package with a region page,
    a panel, search, link targets, its first migration and its tests."""
    plugin_host = host()
    taken = dict.fromkeys(RESERVED_NAMES, "the core's own pages use it under /r/<region>/")
    taken |= dict.fromkeys(CORE_REF_PREFIXES, "it starts the core's own references")
    for blueprint in current_app.blueprints:
        if blueprint not in plugin_host.blueprint_owner:
            taken[blueprint] = "a part of the core's pages has that name"
    installed = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    taken |= dict.fromkeys(installed | set(plugin_host.infos), "a plugin of that name is installed")
    try:
        scaffold.check_name(name, taken)
        if find_spec(f"workspace_{name}") is not None:
            raise scaffold.ScaffoldError(f"a module workspace_{name} is installed already")
        written = scaffold.write(name, folder)
    except scaffold.ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    target = folder / name
    click.echo(f"Wrote the plugin {name!r} to {target}:")
    for path in written:
        click.echo(f"  {path.relative_to(target)}")
    click.echo("Next steps, in the workspace's environment:")
    click.echo(f"  pip install -e {target}  # the workspace finds it by its entry point")
    click.echo("  flask --app workspace db upgrade heads  # creates its table")
    click.echo(f"  flask --app workspace plugins enable {name} --region SLUG")
    click.echo(f"  pytest {target / 'tests'}")
    click.echo(
        f"With WORKSPACE_PLUGINS set, add {name} to it. To try it without installing: "
        f"PYTHONPATH={target} WORKSPACE_EXTRA_PLUGINS=workspace_{name}"
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(plugins_cli)
    app.cli.add_command(archive_cli)
    backup.init_app(app)
