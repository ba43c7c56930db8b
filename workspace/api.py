"""The plugin API: the one core module a plugin imports.

Everything a plugin may use from the core is named here, and nothing else is promised
to stay. A test (``tests/test_import_contract.py``) holds every plugin to it: a
plugin imports ``workspace.api`` and no other core module, and never another
plugin. To reach another plugin's objects, use the link hooks (``link_targets``,
``describe_refs``) through ``find_targets`` and ``describe``.

Groups, in the order of docs/plugins.md:

- the contract: ``hookimpl``, ``PluginInfo`` and the result types;
- data: ``db`` and the core models a plugin may read (and link to);
- people: ``can``, ``Action``, ``require``, ``readable_regions``;
- switches and settings: ``enabled_in``, ``admits``, ``regions_on``, ``region_setting``;
- pages: ``render``, ``wants_fragment``, ``error_response``, ``local_referrer``
  (where to go back to after an action), forms and converters;
- text: Markdown, PDF, documents and their revisions, search helpers;
- numbers and dates in the reader's format; spreadsheets and text files;
- the record: ``record`` for the activity stream, links.
- the trash: ``Trashable`` and the moves, events and page of a record's trash.
- background work: ``scheduled`` registers a job the worker runs every so often;
  ``now`` is the current moment (UTC), which tests fix with the ``NOW`` setting.
- notifications: ``notify`` and ``NotificationKind``; following things by reference
  (``follow``, ``unfollow``, ``is_following``, ``followers``).
- the project's calendar: ``periods``, ``Period``, ``period_of``, ``project_end``.
- controllers and partner reports: ``controls``, ``controlled_partner_ids``,
  ``controllers_of``; ``report_items`` and ``report_certified`` ask the modules, with
  ``ReportItem``, ``Expense`` and ``CertifiedLine``; ``send_attachment`` answers a file.
- indicators and the progress report: ``INDICATORS`` (``Indicator``), ``IndicatorValue``,
  ``indicator_values`` and ``counted`` ask the modules what counts; ``project_activities``
  lists the project's activities of a period by ``ACTIVITY_SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from . import demo as _demo
from .activity import record
from .attachments import attachments_of, send_attachment
from .clock import now
from .controllers import controlled_partner_ids, controllers_of, controls
from .converters import MAX_ID, db_int
from .dates import DateError, date_example, format_day, format_moment, parse_date
from .extensions import db
from .follows import follow, followers, is_following, unfollow
from .forms import (
    COUNTRY,
    ChoiceField,
    DayField,
    MultiChoiceField,
    StrippedForm,
    VersionField,
    WholeNumberField,
    labels,
    options,
)
from .hookspecs import (
    CalendarEntry,
    CertifiedLine,
    Expense,
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
from .i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    by_language,
    current_language,
    in_language,
    language_of,
    translated,
)
from .indicators import (
    ACTIVITY_SECTIONS,
    INDICATORS,
    Indicator,
    counted,
    indicator_values,
    project_activities,
)
from .jobs import scheduled
from .links import UNAVAILABLE, describe, links_of
from .markdown import render_markup
from .merge import merge3
from .models import (
    Attachment,
    Comment,
    Document,
    Event,
    LegalStatus,
    Link,
    Membership,
    MembershipRole,
    Partner,
    PartnerRole,
    Region,
    RegionPlugin,
    User,
    UTCDateTime,
    utcnow,
)
from .notification_kinds import NotificationKind
from .notifications import notify
from .numbers import (
    NumberError,
    check_currency,
    format_money,
    format_number,
    format_percent,
    input_value,
    parse_money,
    parse_number,
)
from .numbers import example as number_example
from .pdf import html_to_pdf
from .permissions import Action, can, readable_regions, require
from .plugin_settings import region_setting
from .plugins import host as _host
from .project_calendar import Period, add_months, period_of, periods, project_calendar, project_end
from .rendering import error_response, local_referrer, render, wants_fragment
from .revisions import create as create_document
from .search import folded_contains, index_document
from .spreadsheets import FORMULA_START, safe_cell, to_csv, to_xlsx
from .textfiles import ENCODINGS, DecodedText, TextFileError, decode, read_rows
from .trash import (
    Trashable,
    TrashRow,
    bring_back,
    documents_in_trash,
    say_restored,
    say_trashed,
    send_to_trash,
    trash_page,
)

# The demo's people and regions, for a plugin's ``load_demo``.
DEMO_ADMIN_EMAIL: str = _demo.ADMIN[0]
DEMO_REGION_SLUGS: tuple[str, ...] = tuple(slug for slug, *_ in _demo.REGIONS)


def enabled_in(region: Region) -> set[str]:
    """The names of the plugins switched on in ``region``."""
    return _host().enabled_in(region)


def admits(plugin: str, region: Region | int | None, user: User | None) -> bool:
    """Whether ``user`` may see something of ``plugin`` living in ``region`` (None:
    project-wide): the plugin is on there and the user may read there."""
    return _host().admits(plugin, region, user)


def regions_on(plugin: str) -> frozenset[int]:
    """Ids of the regions where ``plugin`` is switched on."""
    return _host().regions_on(plugin)


def enabled_anywhere() -> set[str]:
    """The names of the plugins switched on in at least one region."""
    return _host().enabled_anywhere()


def switch_on_once(region: Region, plugin: str) -> bool:
    """Switch ``plugin`` on for ``region`` unless someone has decided about it there
    already (a coordinator's "off" stays): for a plugin's demo. Returns whether it
    switched. The caller commits."""
    decided = db.session.scalar(
        select(RegionPlugin.id).where(
            RegionPlugin.region_id == region.id, RegionPlugin.plugin == plugin
        )
    )
    return decided is None and _host().set_enabled(region, plugin, True, None)


def report_items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    """What the modules switched on in ``partner``'s region (every installed one for a
    partner without a region) hold of its work in ``period``: the ``report_items``
    hook's answers, in the host's order."""
    only = _host().enabled_in(partner.region) if partner.region is not None else None
    return _host().collect("report_items", only, partner=partner, period=period, user=user)


def report_certified(partner: Partner, period: Period, lines: list[CertifiedLine]) -> None:
    """Tell every installed module that ``partner``'s report for ``period`` is certified
    with ``lines``, in the caller's transaction (the ``report_certified`` hook)."""
    _host().call_each("report_certified", partner=partner, period=period, lines=lines)


def find_targets(
    query: str, user: User | None, plugins: Iterable[str] | None = None
) -> list[LinkTarget]:
    """What the plugins (only those named in ``plugins``, when given) offer as link
    targets for ``query``: the link picker's answer, screened like it. This is how a
    plugin reaches another plugin's objects without importing it."""
    return _host().collect("link_targets", plugins, query=query, user=user)


__all__ = [
    "ACTIVITY_SECTIONS",
    "INDICATORS",
    "Indicator",
    "IndicatorValue",
    "counted",
    "indicator_values",
    "project_activities",
    "Attachment",
    "send_attachment",
    "report_certified",
    "report_items",
    "controls",
    "controllers_of",
    "controlled_partner_ids",
    "ReportItem",
    "Expense",
    "CertifiedLine",
    "COUNTRY",
    "DEMO_ADMIN_EMAIL",
    "DEMO_REGION_SLUGS",
    "ENCODINGS",
    "FORMULA_START",
    "MAX_ID",
    "UNAVAILABLE",
    "Action",
    "CalendarEntry",
    "ChoiceField",
    "Comment",
    "DateError",
    "DayField",
    "DecodedText",
    "Document",
    "Event",
    "ExportFile",
    "LegalStatus",
    "Link",
    "LinkTarget",
    "Membership",
    "MembershipRole",
    "MenuLink",
    "MultiChoiceField",
    "NotificationKind",
    "NumberError",
    "Panel",
    "Partner",
    "PartnerRole",
    "Period",
    "PluginInfo",
    "Region",
    "RegionPlugin",
    "SearchResult",
    "Setting",
    "StrippedForm",
    "TextFileError",
    "TrashRow",
    "Trashable",
    "UTCDateTime",
    "User",
    "VersionField",
    "WholeNumberField",
    "add_months",
    "admits",
    "attachments_of",
    "bring_back",
    "can",
    "check_currency",
    "create_document",
    "date_example",
    "db",
    "db_int",
    "decode",
    "describe",
    "documents_in_trash",
    "enabled_anywhere",
    "enabled_in",
    "error_response",
    "find_targets",
    "follow",
    "followers",
    "folded_contains",
    "format_day",
    "in_language",
    "language_of",
    "current_language",
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "by_language",
    "N_",
    "translated",
    "format_moment",
    "format_money",
    "format_number",
    "format_percent",
    "hookimpl",
    "html_to_pdf",
    "index_document",
    "input_value",
    "is_following",
    "labels",
    "links_of",
    "merge3",
    "number_example",
    "notify",
    "now",
    "options",
    "parse_date",
    "parse_money",
    "parse_number",
    "period_of",
    "periods",
    "project_calendar",
    "project_end",
    "local_referrer",
    "read_rows",
    "readable_regions",
    "record",
    "region_setting",
    "regions_on",
    "render",
    "scheduled",
    "render_markup",
    "require",
    "safe_cell",
    "say_restored",
    "say_trashed",
    "send_to_trash",
    "switch_on_once",
    "to_csv",
    "to_xlsx",
    "trash_page",
    "unfollow",
    "utcnow",
    "wants_fragment",
]
