"""A plugin that implements every hook, so tests can check the host wires each one.

Every hook call is counted in ``CALLED``; calls that have no visible page are also
written to ``CALLS`` for the tests to read.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
from flask import Blueprint, g, render_template, url_for
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from workspace.extensions import db
from workspace.hookspecs import (
    CalendarEntry,
    ExportFile,
    IndicatorValue,
    LinkTarget,
    MenuLink,
    Panel,
    PluginInfo,
    ReportItem,
    SearchResult,
    Setting,
    hookimpl,
)
from workspace.models import Region
from workspace.notification_kinds import NotificationKind
from workspace.permissions import Action, can
from workspace.plugin_settings import region_setting

region_pages = Blueprint("fixture", __name__, template_folder="templates")
project_pages = Blueprint("fixture_project", __name__)

PLUGIN = PluginInfo(
    name="fixture",
    label="Fixture notes",
    description="A test plugin that implements every hook.",
    blueprints=[region_pages],
    project_blueprints=[project_pages],
    migrations=Path(__file__).with_name("fixture_migrations"),
    # One setting of each kind; the region page shows them all.
    settings=[
        Setting(
            "threshold",
            "Alert threshold (EUR)",
            "number",
            default=Decimal("500.00"),
            help="Notes about amounts above this are flagged for the coordinator.",
        ),
        Setting(
            "show_archived",
            "Show archived notes",
            "yes_no",
            help="Archived notes are listed after the others.",
        ),
        Setting(
            "order",
            "Order of notes",
            "choice",
            default="newest",
            choices=[("newest", "Newest first"), ("oldest", "Oldest first"), ("title", "By title")],
        ),
        Setting("signature", "Signature", help="A line added under each note."),
    ],
)


class FixtureNote(db.Model):
    """The plugin's own table, created by its own migration branch."""

    __tablename__ = "fixture_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(200))


CALLS: list[tuple] = []
CALLED: set[str] = set()


def _called(function):
    """Count a hook implementation's calls, keeping its signature for pluggy."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        CALLED.add(function.__name__)
        return function(*args, **kwargs)

    return hookimpl(wrapper)


@region_pages.get("/")
def index() -> str:
    settings = {
        name: region_setting(g.region, "fixture", name)
        for name in ("threshold", "show_archived", "order", "signature")
    }
    return render_template("fixture/index.html", region=g.region, settings=settings)


@region_pages.get("/panel")
def lazy_panel() -> str:
    return f"<p>Lazy panel of {g.region.slug}</p>"


@project_pages.get("/")
def project_index() -> str:
    return render_template("fixture/project.html")


@_called
def register_commands(cli):
    @cli.command("fixture-hello")
    def hello() -> None:
        """Say hello (a command added by the fixture plugin)."""
        click.echo("hello from the fixture plugin")


@_called
def menu_links(region, user):
    if region is None:
        return [MenuLink("All notes", url_for("fixture_project.project_index"))]
    if not any(slug == region.slug for _, slug in NOTES.values()):
        return []  # a region without notes has no link: the menu follows the data
    return [MenuLink("Notes", url_for("fixture.index", region=region.slug))]


@_called
def dashboard_panels(region, user):
    if region is None:
        return [Panel("Notes in the project", html=Markup("<p>Project notes panel</p>"))]
    return [
        # The output of an auto-escaped template is trusted HTML.
        Panel.rendered("Notes", "fixture/_panel.html", region=region),
        Panel("Lazy notes", url=url_for("fixture.lazy_panel", region=region.slug)),
    ]


@_called
def load_demo():
    CALLS.append(("load_demo",))


@_called
def export_region(region, user):
    return [
        ExportFile("notes.txt", f"Notes of {region.name}, exported by {user.email}\n"),
        ExportFile("../evil/x.txt", "x"),
    ]


@_called
def notification_kinds():
    return [
        NotificationKind(
            "fixture.note_flagged",
            "A note is flagged",
            "A note of your region is flagged for the coordinator.",
            default="immediately",
        )
    ]


@_called
def plugin_enabled(region, plugin, user):
    CALLS.append(("plugin_enabled", region.slug, plugin, user.email if user else None))


@_called
def plugin_disabled(region, plugin, user):
    CALLS.append(("plugin_disabled", region.slug, plugin, user.email if user else None))


def _region(slug):
    """The region with this slug, or None: the notes of a region a test did not make
    are not there."""
    return db.session.scalar(select(Region).where(Region.slug == slug))


# Notes in Burgos, in Pannon and project-wide. The hooks below answer for all of them,
# whoever asks and wherever the plugin is on, with no filtering of their own: the
# core drops what lies in a region where the plugin is off or that the user may not
# read (tests/test_core_enforcement.py checks that it does).
NOTES = {
    "fixture:note:1": ("Note on export vouchers", "burgos"),
    "fixture:note:2": ("Note on trade fairs", "burgos"),
    "fixture:note:3": ("Note on export vouchers in Pannon", "pannon"),
    "fixture:note:4": ("Project note on export vouchers", None),
}
FOLDER = "fixture:folder:1"  # the record the sealed notes are texts of


def _notes():
    """(ref, label, region, url) of each note whose region exists."""
    for ref, (label, slug) in NOTES.items():
        region = _region(slug) if slug else None
        if slug and region is None:
            continue
        url = f"/r/{slug}/fixture/" if slug else "/p/fixture/"
        yield ref, label, region, url


@_called
def search(query, user):
    if "fixture" not in query.lower():
        return []
    note = SearchResult("Fixture note", "/p/fixture/", "A note from the fixture plugin", "Note")
    results = [note]  # project-wide: no region
    for slug in ("burgos", "pannon"):
        region = _region(slug)
        if region is not None:
            results.append(
                SearchResult(
                    f"Fixture note of {region.name}",
                    f"/r/{slug}/fixture/",
                    "A region's note from the fixture plugin",
                    "Note",
                    region.name,
                    region,  # a Region...
                )
            )
            results.append(
                SearchResult(
                    f"Fixture memo of {region.name}",
                    f"/r/{slug}/fixture/",
                    kind="Memo",
                    region=region.id,  # ...or its id
                )
            )
    return results


@_called
def link_targets(query, user):
    return [
        LinkTarget(ref, label, url, "Note", region)
        for ref, label, region, url in _notes()
        if query.lower() in label.lower()
    ]


@_called
def describe_refs(refs, user):
    return {
        ref: LinkTarget(ref, label, url, "Note", region)
        for ref, label, region, url in _notes()
        if ref in refs
    }


@_called
def calendar_entries(user, region):
    """A day of each note, in every feed, whoever asks: the core keeps each feed to
    what it may show (tests/test_calendar_feeds.py checks that it does)."""
    return [
        CalendarEntry(f"{ref}@fixture", label, date(2030, 1, 15), url=url, region=region)
        for ref, label, region, url in _notes()
    ]


@_called
def document_lock(document):
    return "This note is sealed." if "[sealed]" in document.title else None


@_called
def document_visible(document, user):
    """A "[private]" note is for the editors of its region (project-wide: of some region)."""
    if "[private]" not in document.title:
        return None
    return can(user, Action.EDIT, document.region)


@_called
def document_followed_as(document):
    """A sealed note is a text of the notes' folder: whoever follows the folder hears
    of comments on it."""
    return [FOLDER] if "[sealed]" in document.title else []


@_called
def document_saved(document, revision):
    CALLS.append(("document_saved", document.title, revision.number))


@_called
def calendar_changed(periods):
    """Refuses a calendar of fewer than two periods (the notes are filed in P2),
    to show that a module's refusal leaves the calendar as it was."""
    CALLS.append(("calendar_changed", len(periods)))
    return None if len(periods) >= 2 else "a fixture note is filed in P2."


@_called
def report_items(partner, period, user):
    """One note per partner and period, with the fixture's reference."""
    CALLS.append(("report_items", partner.short_name, period.label))
    return [ReportItem("Fixture notes", f"fixture:note:{partner.id}:{period.number}", "A note")]


@_called
def report_certified(partner, period, lines):
    CALLS.append(("report_certified", partner.short_name, period.label, len(lines)))


@_called
def indicator_values(scope, period, user):
    """A media appearance per region, credited to its first partner on 2019-09-02; an
    indicator the programme does not have, and another plugin's reference (both left
    out by the core)."""
    values = []
    for region in db.session.scalars(select(Region).order_by(Region.id)):
        partner = min(region.partners, key=lambda p: p.id, default=None)
        values.append(
            IndicatorValue(
                "media",
                f"fixture:note:{region.id}",
                f"Fixture note on {region.name}",
                date(2019, 9, 2),
                region=region,
                partner=partner,
            )
        )
    values.append(IndicatorValue("likes", "fixture:note:0", "Not an indicator", date(2019, 9, 2)))
    values.append(IndicatorValue("media", "minutes:meeting:1", "Not ours", date(2019, 9, 2)))
    return values


@_called
def project_activities(period, user):
    """A fixture note per region in every period, under a section of its own."""
    return [
        ReportItem(
            "Fixture notes",
            f"fixture:note:{region.id}",
            f"Note of {region.name}",
            day=period.start,
            region=region,
        )
        for region in db.session.scalars(select(Region).order_by(Region.id))
    ]
