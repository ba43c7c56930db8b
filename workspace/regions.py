"""The project overview, region dashboards, region members, plugin switches and export."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .activity import record
from .extensions import db
from .forms import MembershipForm, RoleForm, options
from .models import Document, Membership, MembershipRole, Partner, Region, User
from .permissions import Action, can, readable_regions, require
from .plugins import host
from .rendering import render, wants_fragment
from .visibility import plugin_allows
from .worker_cache import kept

bp = Blueprint("regions", __name__)


# Statements every region page runs, built once.
_REGION_BY_SLUG = select(Region).where(Region.slug == bindparam("slug"))
_MEMBERS_OF = (
    select(Membership)
    .options(joinedload(Membership.user).joinedload(User.partner))
    .where(Membership.region_id == bindparam("region_id"))
)
_PARTNER_NAMES = (
    select(Partner.name).where(Partner.region_id == bindparam("region_id")).order_by(Partner.name)
)
# The dashboard's lists need a few columns, not whole objects (nor document bodies).
_MEMBER_ROWS = (
    select(
        User.name,
        User.active,
        Partner.short_name.label("organisation"),
        Membership.role,
    )
    .join(Membership, Membership.user_id == User.id)
    .outerjoin(Partner, Partner.id == User.partner_id)
    .where(Membership.region_id == bindparam("region_id"))
)
_RECENT_DOCUMENTS = (
    select(
        Document.id,
        Document.title,
        Document.head,
        Document.updated_at,
        User.name.label("updated_by"),
        Document.plugin,
    )
    .outerjoin(User, User.id == Document.updated_by_id)
    .where(
        Document.region_id == bindparam("region_id"),
        Document.deleted_at.is_(None),
        # Plain documents and those of the modules switched on in the region.
        Document.plugin.is_(None) | Document.plugin.in_(bindparam("plugins", expanding=True)),
    )
    .order_by(Document.updated_at.desc())
    .limit(10)  # some may be hidden from the reader; five are shown
)
RECENT = 5
_REGIONS_BY_NAME = select(Region.id, Region.slug, Region.name).order_by(Region.name)


def get_region(slug: str, action: Action = Action.READ) -> Region:
    """The region with this slug, or 404; 403 unless the current user may ``action``."""
    region = db.session.scalar(_REGION_BY_SLUG, {"slug": slug})
    if region is None:
        abort(404)
    require(action, region)
    g.region = region
    return region


def member_rows(region: Region) -> list:
    """The region's members as (name, active, organisation, role) rows, coordinators
    first: what the dashboard lists."""
    rows = db.session.execute(_MEMBER_ROWS, {"region_id": region.id}).all()
    return sorted(rows, key=lambda m: (-m.role.rank, m.name.casefold()))


def members_of(region: Region) -> list[Membership]:
    """The region's memberships with their people and organisations, in one query,
    coordinators first."""
    memberships = db.session.scalars(_MEMBERS_OF, {"region_id": region.id}).all()
    return sorted(memberships, key=lambda m: (-m.role.rank, m.user.name.casefold()))


def navigation() -> dict[str, Any]:
    """Template globals of the base layout: the region switcher and the menus."""
    if not current_user.is_authenticated:
        return {}
    if "navigation" in g:
        return g.navigation
    region = g.get("region")
    user = current_user._get_current_object()  # the proxy costs a lookup per use
    g.navigation = {
        "nav_regions": readable_regions(user, list(kept("nav_regions", _nav_regions))),
        "current_region": region,
        # Menus depend only on the region, the person and their roles (see the
        # menu_links hook): kept per worker until one of those changes.
        "project_links": kept(f"menu {user.id} project", project_links),
        "region_links": (
            kept(f"menu {user.id} region {region.id}", lambda: region_links(region))
            if region is not None
            else ()
        ),
        "can": lambda action, region=None: can(user, action, region),
    }
    return g.navigation


class NavRegion(NamedTuple):
    id: int
    slug: str
    name: str
    url: str


def _nav_regions() -> tuple[NavRegion, ...]:
    return tuple(
        NavRegion(id, slug, name, url_for("regions.dashboard", region=slug))
        for id, slug, name in db.session.execute(_REGIONS_BY_NAME)
    )


def project_links() -> tuple:
    """Project-wide plugin links, for those who read project-wide content."""
    if not can(current_user, Action.READ):
        return ()
    plugin_host = host()
    return tuple(
        plugin_host.collect(
            "menu_links", plugin_host.enabled_anywhere(), region=None, user=current_user
        )
    )


def region_links(region: Region) -> tuple:
    plugin_host = host()
    return tuple(
        plugin_host.collect(
            "menu_links", plugin_host.enabled_in(region), region=region, user=current_user
        )
    )


class PanelSlot(NamedTuple):
    label: str
    url: str


def panel_slots(region: Region | None) -> list[PanelSlot]:
    """A placeholder for each switched-on plugin with dashboard panels. The page
    loads each plugin's panels from its own address, so the dashboard appears at once
    and a slow module delays only its own box."""
    if not can(current_user, Action.READ, region):
        return []
    plugin_host = host()
    names = plugin_host.enabled_for(region) & plugin_host.implementing("dashboard_panels")
    return [
        PanelSlot(
            plugin_host.infos[name].label,
            url_for("regions.project_panels", name=name)
            if region is None
            else url_for("regions.region_panels", region=region.slug, name=name),
        )
        for name in sorted(names)
    ]


def _panels_of(name: str, region: Region | None) -> Response:
    plugin_host = host()
    if name not in plugin_host.enabled_for(region) & plugin_host.implementing("dashboard_panels"):
        abort(404)
    panels = plugin_host.collect("dashboard_panels", [name], region=region, user=current_user)
    return render(
        "regions/panels.html",
        block="panels",
        panels=panels,
        region=region,
        label=plugin_host.infos[name].label,
    )


@bp.get("/panels/<name>")
def project_panels(name: str) -> Response:
    require(Action.READ)
    return _panels_of(name, None)


@bp.get("/r/<slug:region>/panels/<name>")
def region_panels(region: str, name: str) -> Response:
    return _panels_of(name, get_region(region))


# ---------------------------------------------------------------- project overview


@bp.get("/")
def home() -> Response:
    regions = db.session.scalars(
        select(Region)
        .options(selectinload(Region.partners), selectinload(Region.memberships))
        .order_by(Region.name)
    ).all()
    partners = db.session.scalars(
        select(Partner).options(selectinload(Partner.region)).order_by(Partner.name)
    ).all()
    plugin_host = host()
    visible = readable_regions(current_user, list(regions))
    return render(
        "regions/home.html",
        regions=visible,
        partners=sorted(partners, key=lambda p: (p.role != "lead", p.role == "advisory", p.name)),
        enabled={region.id: plugin_host.enabled_in(region) for region in visible},
        my_region_ids={m.region_id for m in current_user.memberships},
        panel_slots=panel_slots(None),
        plugin_infos=plugin_host.infos,
    )


# ---------------------------------------------------------------- region dashboard


@bp.get("/r/<slug:region>/")
def dashboard(region: str) -> Response:
    return render("regions/dashboard.html", **_dashboard_context(get_region(region)))


def _dashboard_context(region: Region) -> dict[str, Any]:
    plugin_host = host()
    enabled = plugin_host.enabled_in(region)
    return {
        "region": region,
        "members": member_rows(region),
        "plugins": [(plugin_host.infos[name], name in enabled) for name in plugin_host.names],
        "panel_slots": panel_slots(region),
        "can_manage": can(current_user, Action.MANAGE, region),
        "can_export": can(current_user, Action.EDIT, region),
        "partner_names": db.session.scalars(_PARTNER_NAMES, {"region_id": region.id}).all(),
        "recent_documents": recent_documents(region, enabled),
    }


def recent_documents(region: Region, enabled: set[str]) -> list:
    """The region's newest documents the reader may see, as rows: those of modules
    switched off here, or that their module hides from the reader, are left out."""
    rows = db.session.execute(
        _RECENT_DOCUMENTS,
        {"region_id": region.id, "plugins": sorted(enabled)},
    ).all()
    hooked = host().implementing("document_visible")
    asked = {row.id for row in rows if row.plugin in hooked}
    if asked:
        user = current_user._get_current_object()
        documents = db.session.scalars(select(Document).where(Document.id.in_(asked)))
        hidden = {d.id for d in documents if not plugin_allows(d, user)}
        rows = [row for row in rows if row.id not in hidden]
    return rows[:RECENT]


def _switch_value(value: str | None) -> bool:
    """The wanted state of a switch: "1" or "0"; anything else is a malformed request."""
    if value not in ("0", "1"):
        abort(400)
    return value == "1"


@bp.post("/r/<slug:region>/plugins/<name>")
def toggle_plugin(region: str, name: str) -> Response:
    the_region = get_region(region, Action.MANAGE)
    plugin_host = host()
    if name not in plugin_host.infos:
        abort(404)
    enabled = _switch_value(request.form.get("enabled"))
    user = current_user._get_current_object()
    try:
        plugin_host.set_enabled(the_region, name, enabled, user)
        db.session.commit()
    except IntegrityError:
        # The region's first switch of this plugin raced another one: switch again.
        db.session.rollback()
        plugin_host.set_enabled(the_region, name, enabled, user)
        db.session.commit()
    state = "switched on" if enabled else "switched off"
    flash(f"{plugin_host.infos[name].label} is {state} for {the_region.name}.", "success")
    if not wants_fragment():
        return redirect(url_for("regions.dashboard", region=the_region.slug))
    # The switch list, plus out-of-band updates of the menu and panels it changes.
    context = _dashboard_context(the_region)
    response = render("regions/dashboard.html", block="plugins", **context)
    oob = render_block("regions/dashboard.html", "panels", panels_oob=True, **context)
    oob += render_template(
        "_region_nav.html",
        oob=True,
        nav_endpoint="regions.dashboard",
        region_links=region_links(the_region),
    )
    response.set_data(response.get_data(as_text=True) + oob)
    return response


# ---------------------------------------------------------------- members


def _candidates(region: Region) -> list[User]:
    member_ids = {m.user_id for m in region.memberships}
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    return [user for user in users if user.id not in member_ids]


def _members_page(region: Region, form: MembershipForm | None = None, status: int = 200):
    form = form or MembershipForm(formdata=None)
    form.user_id.choices = options((u.id, f"{u.name} ({u.email})") for u in _candidates(region))
    members = members_of(region)
    return render(
        "regions/members.html",
        block="members",
        region=region,
        members=members,
        form=form,
        roles=list(MembershipRole),
        status=status,
    )


@bp.get("/r/<slug:region>/members")
def members(region: str) -> Response:
    return _members_page(get_region(region, Action.MANAGE))


@bp.post("/r/<slug:region>/members")
def add_member(region: str) -> Response:
    the_region = get_region(region, Action.MANAGE)
    form = MembershipForm()
    form.user_id.choices = options((u.id, u.name) for u in _candidates(the_region))
    if not form.validate_on_submit():
        return _members_page(the_region, form, status=422)
    user = db.session.get(User, form.user_id.data)
    role = MembershipRole(form.role.data)
    db.session.add(Membership(user=user, region=the_region, role=role))
    record("member_added", region=the_region, target=f"user:{user.id}", role=role.value)
    try:
        db.session.commit()
    except IntegrityError:
        # Added by someone else (or a double click) a moment ago: the list shows it.
        db.session.rollback()
        flash(f"{user.name} is already a member of {the_region.name}.", "info")
    else:
        flash(f"{user.name} is now {role.value} in {the_region.name}.", "success")
    return _after_member_change(the_region)


def _membership(region: Region, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.region_id != region.id:
        abort(404)
    return membership


@bp.post("/r/<slug:region>/members/<id:membership_id>/role")
def change_role(region: str, membership_id: int) -> Response:
    the_region = get_region(region, Action.MANAGE)
    membership = _membership(the_region, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return _members_page(the_region, status=422)
    membership.role = MembershipRole(form.role.data)
    record(
        "member_role_changed",
        region=the_region,
        target=f"user:{membership.user_id}",
        role=membership.role.value,
    )
    db.session.commit()
    flash(f"{membership.user.name} is now {membership.role.value}.", "success")
    return _after_member_change(the_region)


@bp.post("/r/<slug:region>/members/<id:membership_id>/remove")
def remove_member(region: str, membership_id: int) -> Response:
    the_region = get_region(region, Action.MANAGE)
    membership = _membership(the_region, membership_id)
    name = membership.user.name
    record("member_removed", region=the_region, target=f"user:{membership.user_id}")
    db.session.delete(membership)
    db.session.commit()
    flash(f"{name} is no longer a member of {the_region.name}.", "success")
    return _after_member_change(the_region)


def _after_member_change(region: Region) -> Response:
    if not can(current_user, Action.MANAGE, region):
        # The coordinator changed their own role: this page is no longer theirs.
        target = url_for("regions.dashboard", region=region.slug)
        if wants_fragment():
            return Response(status=204, headers={"HX-Redirect": target})
        return redirect(target, code=303)
    if wants_fragment():
        db.session.refresh(region)
        return _members_page(region)
    return redirect(url_for("regions.members", region=region.slug), code=303)


# ---------------------------------------------------------------- export


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
