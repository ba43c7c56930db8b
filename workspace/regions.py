"""The ``regions`` blueprint and its main pages: the project overview, the region
dashboards with the plugins' panels, and the plugin switches of a region; with
``get_region``, which every region page uses, and the base layout's navigation.

The blueprint's other pages are in their own modules, imported by the application
package before it registers the blueprint: a region's members and their roles
(``region_members``) and its export (``region_export``).
"""

from __future__ import annotations

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
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from .controllers import controlled_partner_ids
from .extensions import db
from .models import Document, Membership, Partner, Region, User
from .permissions import Action, can, readable_regions, require
from .plugins import host
from .rendering import render, wants_fragment
from .visibility import hidden_by_plugins
from .worker_cache import per_worker

bp = Blueprint("regions", __name__)


# Statements every region page runs, built once.
_REGION_BY_SLUG = select(Region).where(Region.slug == bindparam("slug"))
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
_MEMBER_COUNTS = select(Membership.region_id, func.count()).group_by(Membership.region_id)
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


def navigation() -> dict[str, Any]:
    """Template globals of the base layout: the region switcher and the menus."""
    if not current_user.is_authenticated:
        return {}
    if "navigation" in g:
        return g.navigation
    region = g.get("region")
    user = current_user._get_current_object()  # the proxy costs a lookup per use
    g.navigation = {
        "nav_regions": readable_regions(user, list(per_worker("nav_regions", _nav_regions))),
        "current_region": region,
        # Built once per request: a plugin's menu may depend on its own data.
        "project_links": project_links(),
        "region_links": region_links(region) if region is not None else (),
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
    """Project-wide plugin links, for those who read project-wide content; for a
    controller who does not, those of the plugins whose pages controllers reach
    (``PluginInfo.control_blueprints``)."""
    plugin_host = host()
    plugins = plugin_host.enabled_anywhere()
    if not can(current_user, Action.READ):
        if not controlled_partner_ids(current_user):
            return ()
        plugins = {name for name in plugins if plugin_host.infos[name].control_blueprints}
    return tuple(plugin_host.collect("menu_links", plugins, region=None, user=current_user))


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
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    # Each partner's region is then found among those loaded, with no query of its own.
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    partners_of: dict[int, list[Partner]] = {}
    for partner in partners:
        if partner.region_id is not None:
            partners_of.setdefault(partner.region_id, []).append(partner)
    plugin_host = host()
    visible = readable_regions(current_user, list(regions))
    controlled = controlled_partner_ids(current_user)
    return render(
        "regions/home.html",
        regions=visible,
        partners=sorted(partners, key=lambda p: (p.role != "lead", p.role == "advisory", p.name)),
        partners_of=partners_of,
        member_counts=dict(db.session.execute(_MEMBER_COUNTS).all()),
        enabled={region.id: plugin_host.enabled_in(region) for region in visible},
        my_region_ids={m.region_id for m in current_user.memberships},
        controlled=[p for p in partners if p.id in controlled],
        control_links=project_links() if not can(current_user, Action.READ) else (),
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
    hidden = hidden_by_plugins(
        [(row.id, row.plugin) for row in rows], current_user._get_current_object()
    )
    return [row for row in rows if row.id not in hidden][:RECENT]


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
    module, region_name = plugin_host.infos[name].label, the_region.name
    if enabled:
        message = _("%(module)s is switched on for %(region)s.", module=module, region=region_name)
    else:
        message = _("%(module)s is switched off for %(region)s.", module=module, region=region_name)
    flash(message, "success")
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
