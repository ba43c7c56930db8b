"""The plugin contract: every hook a plugin may implement, and the data it returns.

Hooks return data; the core loops over the results and wires them into the app.
A plugin never mutates the app. Each hook is documented in docs/plugins.md in the
same shape; tests check both.

A plugin is a module (or package) that defines ``PLUGIN = PluginInfo(...)`` and
functions decorated with ``@hookimpl``, declared under the ``workspace.plugins``
entry-point group::

    [project.entry-points."workspace.plugins"]
    minutes = "plugins.minutes"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from flask import current_app, render_template
from markupsafe import Markup

if TYPE_CHECKING:
    from datetime import date, datetime

    import click
    from flask import Blueprint

    from .models import Document, Partner, Region, Revision, User
    from .notification_kinds import NotificationKind
    from .project_calendar import Period

hookspec = pluggy.HookspecMarker("workspace")
hookimpl = pluggy.HookimplMarker("workspace")


# The kinds of a region setting, and the type ``region_setting`` returns for each.
SETTING_KINDS = {"text": str, "number": Decimal, "yes_no": bool, "choice": str}
# The longest text setting, in characters.
SETTING_TEXT_MAX = 500


@dataclass(frozen=True)
class Setting:
    """One setting a region's coordinators choose for a plugin, on the settings page of
    the region's module list (``/r/<region>/plugins/<plugin>/settings``); the plugin
    reads it with ``region_setting(region, plugin, name)``.

    - ``name``: a Python identifier, unique among the plugin's settings: the key it is
      stored under and read by.
    - ``label``: the field's label; ``help``: a sentence shown under the field.
    - ``kind``: ``"text"`` (one line, may be left empty; read as ``str``),
      ``"number"`` (typed in the reader's format; read as ``Decimal``),
      ``"yes_no"`` (a switch; read as ``bool``) or ``"choice"`` (one of ``choices``;
      read as the chosen value, a ``str``).
    - ``default``: the value until a coordinator saves another. A number needs one
      (an ``int`` or a ``Decimal``); the others default to ``""``, ``False`` and the
      first choice.
    - ``choices``: for a choice, its values, each a string or a ``(value, label)``
      pair.
    - ``decimals``, ``minimum``, ``maximum``: for a number, at most so many decimals,
      at least ``minimum`` (None: no lower limit), below ``maximum`` (None: below
      10^12, as money).

    Checked when the plugin is loaded: a mistake stops the app with a ``PluginError``.
    """

    name: str
    label: str
    kind: str = "text"
    default: Any = None
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    decimals: int = 2
    minimum: Decimal | int | None = 0
    maximum: Decimal | int | None = None

    def __post_init__(self) -> None:
        # A list is kept as a tuple, and a bare value is its own label.
        choices = (self.choices,) if isinstance(self.choices, str) else self.choices
        object.__setattr__(
            self,
            "choices",
            tuple(
                (c, c) if isinstance(c, str) else tuple(c) if isinstance(c, list) else c
                for c in choices
            ),
        )

    @property
    def initial(self) -> str | Decimal | bool:
        """The default, as ``region_setting`` returns it."""
        if self.kind == "number":
            return Decimal(self.default)
        if self.kind == "yes_no":
            return bool(self.default)
        if self.kind == "choice" and self.default is None:
            return self.choices[0][0]
        return "" if self.default is None else self.default


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself: facts that hold for the life of the app.

    ``name`` is a Python identifier; it names the plugin's URL segment, blueprint,
    template folder and table prefix.

    - ``blueprints``: blueprints of region pages, mounted at ``/r/<region>/<name>/``.
      The core answers 404 there when the plugin is switched off for the region,
      requires login and read access, and puts the region in ``g.region``; views do
      not receive the region slug (``url_for`` fills it in for the current region).
    - ``project_blueprints``: blueprints of project-wide pages, mounted at
      ``/p/<name>/``, served while the plugin is on in at least one region.
    - ``control_blueprints``: project-wide pages that controllers reach too (mounted
      like ``project_blueprints``): the core lets in partner staff and anyone who
      controls a partner (``controls``); each view still checks which partner.
    - ``migrations``: the folder of the plugin's Alembic scripts, one branch of the
      core's history: its first script has ``branch_labels = ("<name>",)``,
      ``down_revision = None`` and ``depends_on`` the core revision it needs.
    - ``translations``: the folder of the plugin's gettext catalogs
      (``<folder>/<language>/LC_MESSAGES/messages.po``), merged over the core's; see
      docs/plugins.md, "Languages".
    - ``after``: plugins whose hooks run before this plugin's (its demo links to
      their objects, say). The host calls every hook in this order, then by name;
      a plugin named here that is not installed is ignored.
    - ``settings``: what a region's coordinators may set for the plugin, as
      ``Setting`` declarations; the region's module list links to their page.

    Hooks stay for what depends on the request or the data.
    """

    name: str
    label: str
    description: str
    blueprints: tuple[Blueprint, ...] = ()
    project_blueprints: tuple[Blueprint, ...] = ()
    control_blueprints: tuple[Blueprint, ...] = ()
    migrations: str | Path | None = None
    translations: str | Path | None = None
    after: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()

    def __post_init__(self) -> None:
        # Lists are accepted and kept as tuples, so the facts stay hashable and fixed.
        for field in (
            "blueprints",
            "project_blueprints",
            "control_blueprints",
            "after",
            "settings",
        ):
            value = getattr(self, field)
            if isinstance(value, str | Setting):
                value = (value,)
            object.__setattr__(self, field, tuple(value))


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str


@dataclass(frozen=True)
class Panel:
    """A box on a dashboard. ``html`` is the output of the plugin's own (auto-escaped)
    template; with ``url`` instead, the core loads the panel lazily from that address."""

    title: str
    html: Markup | None = None
    url: str | None = None

    @classmethod
    def rendered(cls, title: str, template: str, **context) -> Panel:
        """A panel showing ``template`` rendered with ``context``. Flask auto-escapes
        ``.html`` templates, so the output is trusted as it stands; never build
        ``html`` from user text any other way.

        Only a template Flask auto-escapes (``.html`` and the like) is accepted: a
        ``.txt`` one would put user text into the page as it was typed."""
        if not current_app.select_jinja_autoescape(template):
            raise ValueError(f"{template}: a panel template must be auto-escaped (.html)")
        return cls(title, html=Markup(render_template(template, **context)))  # noqa: S704


@dataclass(frozen=True)
class SearchResult:
    """One hit of a search: shown with its kind ("Meeting", "Good practice"...), where
    it lives, and a plain-text snippet.

    ``region`` is the ``Region`` (or its id) the hit belongs to, None for something
    project-wide. The core drops a plugin's hits of regions where the plugin is
    switched off and those the reader may not read (project-wide ones: those the
    reader may not read project-wide), so a plugin need not filter for either."""

    title: str
    url: str
    snippet: str = ""
    kind: str = ""
    where: str = ""
    region: Region | int | None = None


@dataclass(frozen=True)
class LinkTarget:
    """Something a link can point to: its reference ("portfolio:practice:12"), how it
    is shown, where it lives, and what kind of thing it is ("Good practice").

    ``region`` is the ``Region`` (or its id) the object belongs to, None for something
    project-wide. As for ``SearchResult``, the core drops a plugin's targets of regions
    where the plugin is off and those the reader may not read: they show as
    unavailable."""

    ref: str
    label: str
    url: str
    kind: str = ""
    region: Region | int | None = None


@dataclass(frozen=True)
class ExportFile:
    """One file of a region export; ``filename`` is relative to the plugin's folder."""

    filename: str
    content: bytes | str


@dataclass(frozen=True)
class CalendarEntry:
    """One entry of a calendar feed (``calendar_entries``): a meeting, a deadline.

    - ``uid``: unique and stable across requests ("minutes-meeting-4@host"): a
      subscribed calendar app updates the entry with that uid instead of adding one.
    - ``start``: an aware ``datetime`` (shown at that moment, in its time zone), or a
      ``date`` for an all-day entry; ``end`` of the same kind, or None (an all-day
      entry then lasts its day).
    - ``url``: the thing's page, absolute (``url_for(..., _external=True)``).
    - ``status``: iCalendar's STATUS, "" for none: ``"CONFIRMED"``, ``"TENTATIVE"``
      or ``"CANCELLED"``; ``sequence``: bump it at every change (a record's version).
    - ``region``: the ``Region`` (or its id) the thing belongs to, None for something
      project-wide. As for ``SearchResult``, the core drops the entries of regions
      where the plugin is off and those the feed's owner may not read.
    """

    uid: str
    title: str
    start: date | datetime
    end: date | datetime | None = None
    url: str = ""
    location: str = ""
    description: str = ""
    status: str = ""
    sequence: int = 0
    region: Region | int | None = None


@dataclass(frozen=True)
class Expense:
    """What a programme's monitoring system asks of one expenditure line: the cost
    category (its label), the invoice, when it was paid, the amount in its currency and
    the rate (units of the currency per euro), and the amount in EUR."""

    category: str
    invoice_number: str
    invoice_date: date
    payment_date: date
    amount: Decimal
    currency: str
    rate: Decimal
    amount_eur: Decimal


@dataclass(frozen=True)
class ReportItem:
    """One line of a partner report (``report_items``): a record of the period.

    - ``section``: the heading it is listed under ("Expenditure: Staff", "Meetings
      hosted"); sections keep the order in which items first name them.
    - ``key``: the record's stable reference ("budget:expenditure:17"): a control result
      and a certified amount are kept against it.
    - ``url``: the record's page, for those who may open it; ``day``: when it happened.
    - ``expense``: the facts of an expenditure line; only items with one are controlled.
    - ``attachments``: ids of core attachments that are its evidence (invoices, proofs
      of payment); a report's controller may download exactly these.
    - ``region``: where the record lives; ``project_activities`` answers are screened
      by it (a region where the plugin is off, or that the reader may not read, is left
      out). None: project-wide.
    """

    section: str
    key: str
    title: str
    url: str = ""
    day: date | None = None
    detail: str = ""
    expense: Expense | None = None
    attachments: tuple[int, ...] = ()
    region: Region | int | None = None


@dataclass(frozen=True)
class CertifiedLine:
    """The controller's result for one expenditure line of a certified report: the
    amount declared and the amount found eligible (EUR), and why it is lower."""

    key: str
    declared_eur: Decimal
    eligible_eur: Decimal
    reason: str = ""


@dataclass(frozen=True)
class IndicatorValue:
    """One record counted towards a programme indicator (``indicator_values``).

    - ``indicator``: the indicator's key, one of ``workspace.api.INDICATORS``
      ("good_practices", "people_capacity", ...).
    - ``ref``: the counted record's reference, starting with the plugin's name
      ("portfolio:practice:4"); a record counts once per indicator whoever answers.
    - ``title``, ``url``, ``detail``: the evidence as a reader follows it.
    - ``day``: when it counts (the practice approved, the meeting held): the period it
      falls in is the period it counts for.
    - ``amount``: 1 for a count; euros for the funds indicators.
    - ``region``: where it lives (screened like ``search`` results); ``partner``: the
      one partner it is credited to (Partner, id or None), so partners' figures add up
      to the region's and the project's.
    - ``suggested``: counts only once the partner confirms it (a participant of a
      learning event whose professional capacity grew).
    """

    indicator: str
    ref: str
    title: str
    day: date
    amount: Decimal = Decimal(1)
    url: str = ""
    detail: str = ""
    region: Region | int | None = None
    partner: Partner | int | None = None
    suggested: bool = False


# ---------------------------------------------------------------------- set-up


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``flask --app workspace`` command line."""


# ---------------------------------------------------------------------- pages


@hookspec
def menu_links(region: Region | None, user: User) -> list[MenuLink]:
    """Links for the navigation of a region (or, when ``region`` is None, the project).

    Called only for plugins switched on for that region (for the project: switched
    on somewhere), so a switched-off plugin never shows a link. Called once per
    page, so the links may also depend on the plugin's own data (a count of what
    awaits the user, say); keep that to one cheap query.
    """


@hookspec
def dashboard_panels(region: Region | None, user: User) -> list[Panel]:
    """Panels for the dashboard of a region (or, when ``region`` is None, the project).

    Called only for plugins switched on for that region (for the project: switched
    on somewhere).
    """


@hookspec
def search(query: str, user: User) -> list[SearchResult]:
    """Results of the plugin's own records for a search, after the core's documents.

    Called for plugins switched on in at least one region. Give each result its
    ``region``: the core drops results of regions where the plugin is off and those
    ``user`` may not read (``workspace.permissions.can(user, "region.read", region)``).
    Leave out only what the plugin's own rules hide (a draft, say).
    """


@hookspec
def link_targets(query: str, user: User) -> list[LinkTarget]:
    """Candidates for the link picker: the plugin's objects matching ``query``.
    References start with the plugin's name ("minutes:meeting:4").

    Called for plugins switched on in at least one region. Give each target its
    ``region``: the core drops those of regions where the plugin is off, those
    ``user`` may not read, and references that do not start with the plugin's name.
    """


@hookspec
def describe_refs(refs: list[str], user: User) -> dict[str, LinkTarget]:
    """Label and address of the plugin's references among ``refs`` (all start with the
    plugin's name), for "linked" and "linked from" lists. Leave out what does not
    exist or what the plugin's own rules hide from ``user``: the core shows it as
    unavailable, as it does for targets of a region where the plugin is off or that
    ``user`` may not read (give each target its ``region``).

    Called only for plugins switched on in at least one region.
    """


# ---------------------------------------------------------------------- data


@hookspec
def load_demo() -> None:
    """Add the plugin's demo content after the core's demo data is loaded.

    Must be idempotent: running the demo twice changes nothing. Query the core's
    models for regions, partners and users; the core commits afterwards.
    """


@hookspec
def export_region(region: Region, user: User) -> list[ExportFile]:
    """Files for the region's export archive (``/r/<region>/export.zip``), as ``user``
    (who may edit the region) downloads it: leave out what ``user`` may not read.

    Called only for plugins switched on for the region.
    """


# ---------------------------------------------------------------------- notifications


@hookspec
def notification_kinds() -> list[NotificationKind]:
    """The kinds of notification the plugin sends with ``notify``, each named
    ``<plugin>.<what>`` ("minutes.action_assigned"), with a label and the e-mail a
    person gets until they choose (``"immediately"``, ``"daily"`` or ``"off"``).

    Called once at start-up; people choose per kind on ``/account/notifications``. A
    kind not named after its plugin, or taken already, stops the app.
    """


# ---------------------------------------------------------------------- events


@hookspec
def document_lock(document: Document, user: User) -> str | None:
    """Why the plugin's own ``document`` may not be changed now, or not by ``user``
    (the minutes of a closed meeting, an endorsed action plan, another partner's
    evidence folder), in words shown to the user; None when it may.

    Called only on the plugin that owns the document (``document.plugin``), after the
    core's own permission check. The core then refuses edits, restores and deletion
    of the text, and attaching or removing files; comments stay open.
    """


@hookspec
def document_visible(document: Document, user: User) -> bool | None:
    """Whether ``user`` may see the plugin's own ``document`` at all: False hides it
    (a draft good practice from the region's stakeholders); True or None leave it to
    the core's rules.

    Called only on the plugin that owns the document (``document.plugin``), after the
    core's own checks (the plugin is switched on where the document lives, ``user``
    may read there), so it can only narrow who sees the text. A hidden document is
    404 by id (page, edit, history, comments, files) and left out of the document
    list, search, link pickers, "linked" lists and activity. Called for each of the
    plugin's documents a list or a search shows: answer cheaply.
    """


@hookspec
def document_followed_as(document: Document) -> list[str]:
    """The references of the plugin's records that its ``document`` is a text of
    (``["action_plans:plan:4"]`` for each text of that plan), so that whoever follows
    the record hears of comments on its texts as whoever follows the text does.

    Called only on the plugin that owns the document (``document.plugin``) when a
    comment is added; whether each follower may read the text is ``notify``'s question.
    """


@hookspec
def document_saved(document: Document, revision: Revision) -> None:
    """A document got a new revision (created, edited, merged or restored), after the
    commit. ``document.plugin`` names the plugin that owns it, if any."""


@hookspec
def plugin_enabled(region: Region, plugin: str, user: User | None) -> None:
    """A plugin (``plugin``, any plugin, not only the receiver) was switched on for a
    region. ``user`` is None when the command line did it."""


@hookspec
def plugin_disabled(region: Region, plugin: str, user: User | None) -> None:
    """A plugin was switched off for a region; its data stays in the database."""


# ---------------------------------------------------------------------- calendars


@hookspec
def calendar_entries(user: User, region: Region | None) -> list[CalendarEntry]:
    """Entries for a calendar feed that ``user``'s calendar app reads by a personal
    address (``/calendar/<token>/...``, no session): with ``region`` None, the
    person's own feed (the meetings they take part in, their deadlines); otherwise
    that region's feed (its meetings).

    Called for the personal feed when the plugin is on in at least one region, for a
    region's feed when it is on there and ``user`` may read the region. Give each
    entry its ``region``: the core drops those of regions where the plugin is off and
    those ``user`` may not read, and in a region's feed those of other regions.
    """


# ---------------------------------------------------------------------- the project


@hookspec
def calendar_changed(periods: list[Period]) -> str | None:
    """The project's calendar is changing to ``periods`` (``workspace.api.Period``:
    number, phase, start, end, report_due), in the transaction that changes it, in
    every installed plugin whatever the switches. Bring what the plugin files by period
    in line (each dated record to its new period) and return None; or return a message
    saying why the change cannot be made (an expense would fall outside the project):
    the core then changes nothing, yours included, and shows the message to the admin.
    """


@hookspec
def report_items(partner: Partner, period: Period, user: User) -> list[ReportItem]:
    """What ``partner`` did and spent in ``period``, from the plugin's records, as
    ``ReportItem``s for its partner report: expenditure lines (with an ``Expense``),
    meetings, closed action items, practices, action-plan progress. ``user`` is who
    reads or submits the report: leave out what they may not read.

    Asked only of plugins switched on in the partner's region (every installed plugin
    for a partner without a region). What a report holds once submitted is a frozen
    copy, so later changes of the records do not change it.
    """


@hookspec
def report_certified(partner: Partner, period: Period, lines: list[CertifiedLine]) -> None:
    """A controller certified ``partner``'s report for ``period``: ``lines`` hold the
    eligible amount of every expenditure line (by ``ReportItem.key``) the report
    declared. Keep what concerns the plugin's own keys (the budget's certified
    figures); ignore the others. Called in the certifying transaction, in every
    installed plugin.
    """


@hookspec
def indicator_values(
    scope: Partner | Region | None, period: Period | None, user: User
) -> list[IndicatorValue]:
    """The plugin's records that count towards the programme's indicators
    (``workspace.api.INDICATORS``), one ``IndicatorValue`` per record and indicator,
    each with its day, region and the partner it is credited to.

    ``scope`` (a partner, a region, or None for the whole project) and ``period`` (None:
    since the project began) say what is asked: narrow the query by them when it is
    cheap. The core keeps only values of that scope and period, leaves out those of
    regions where the plugin is off or that ``user`` may not read, and counts a record
    (``ref``) once per indicator. Called for plugins switched on in at least one region.
    """


@hookspec
def project_activities(period: Period, user: User) -> list[ReportItem]:
    """The project's activities in ``period`` from the plugin's records, for the
    progress report: interregional meetings, webinars, thematic visits, stakeholder
    group meetings, good practices, action plans, situation reports. Give each item its
    ``section`` (the core orders sections as ``workspace.api.ACTIVITY_SECTIONS``, then
    others as they come) and its ``region``: items of regions where the plugin is off or
    that ``user`` may not read are left out. Called for plugins switched on somewhere.
    """
