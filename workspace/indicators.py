"""The programme's indicators and the project's activities, asked of the plugins.

The indicator set is Interreg Europe's (DOMAIN.md): each plugin counts its own records
towards it through the ``indicator_values`` hook, and lists the project's activities of
a period through ``project_activities``. The core screens the answers (a region where
the plugin is off, or that the reader may not read, is left out), keeps the scope and
period asked for, and counts each record once. What a project does with the figures
(targets, corrections, the progress report) is the reports plugin's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from .hookspecs import IndicatorValue, ReportItem
from .i18n import in_language
from .models import Partner, Region, User
from .plugins import host
from .project_calendar import Period


@dataclass(frozen=True)
class Indicator:
    """One indicator of the programme: its key, its name as the programme words it
    (a project may rename it) and whether it counts euros rather than things."""

    key: str
    wording: str  # lazily translated: read it as ``name``
    money: bool = False

    @property
    def name(self) -> str:
        """The name in the reader's language, as a plain string (safe to store, to put
        into JSON or a spreadsheet)."""
        return str(self.wording)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("learning_events", _l("Policy-learning events held")),
    Indicator("good_practices", _l("Good practices identified")),
    Indicator("people_capacity", _l("People with increased professional capacity")),
    Indicator("action_plans", _l("Action plans developed")),
    Indicator("instruments_addressed", _l("Policy instruments addressed")),
    Indicator("instruments_improved", _l("Policy instruments improved")),
    Indicator("structural_funds", _l("Structural Funds influenced (EUR)"), money=True),
    Indicator("other_funds", _l("Other funds influenced (EUR)"), money=True),
    Indicator("media", _l("Appearances in media")),
)
INDICATOR_KEYS = frozenset(indicator.key for indicator in INDICATORS)

# The progress report's activity sections, in DOMAIN.md's order (lazily translated: a
# plugin's section may be written in English or in the reader's language).
ACTIVITY_SECTIONS: tuple[str, ...] = (
    _l("Interregional meetings"),
    _l("Webinars"),
    _l("Thematic visits"),
    _l("Stakeholder group meetings"),
    _l("Good practices"),
    _l("Action plans"),
    _l("Situation reports and recommendations"),
)


def _id(thing: object) -> int | None:
    return getattr(thing, "id", thing)  # type: ignore[return-value]


def indicator_values(
    scope: Partner | Region | None, period: Period | None, user: User
) -> list[IndicatorValue]:
    """Every record counted towards an indicator in ``scope`` (a partner, a region, or
    None: the project) and ``period`` (None: since the start), as ``user`` may see
    them, from the plugins switched on somewhere: screened, each (indicator, record)
    once, unknown indicators left out."""
    found: dict[tuple[str, str], IndicatorValue] = {}
    for value in host().collect(
        "indicator_values", host().enabled_anywhere(), scope=scope, period=period, user=user
    ):
        if value.indicator not in INDICATOR_KEYS:
            continue
        if period is not None and not period.contains(value.day):
            continue
        if isinstance(scope, Partner) and _id(value.partner) != scope.id:
            continue
        if isinstance(scope, Region) and _id(value.region) != scope.id:
            continue
        found.setdefault((value.indicator, value.ref), value)
    return sorted(found.values(), key=lambda value: (value.day, value.title))


def counted(values: list[IndicatorValue]) -> dict[str, Decimal]:
    """Indicator key -> the sum of the values that count (not mere suggestions)."""
    totals = {indicator.key: Decimal(0) for indicator in INDICATORS}
    for value in values:
        if not value.suggested:
            totals[value.indicator] += value.amount
    return totals


def project_activities(period: Period, user: User) -> list[ReportItem]:
    """The project's activities in ``period``, screened, by section in
    ``ACTIVITY_SECTIONS``' order (other sections after, as they come), then by day."""
    on = host().enabled_anywhere()
    items = host().collect("project_activities", on, period=period, user=user)
    order = {str(section): index for index, section in enumerate(ACTIVITY_SECTIONS)}
    with in_language("en"):
        for index, section in enumerate(ACTIVITY_SECTIONS):
            order.setdefault(str(section), index)
    for item in items:
        order.setdefault(item.section, len(order))
    return sorted(items, key=lambda item: (order[item.section], item.day or period.start))
