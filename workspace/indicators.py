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

from .hookspecs import IndicatorValue, ReportItem
from .models import Partner, Region, User
from .plugins import host
from .project_calendar import Period


@dataclass(frozen=True)
class Indicator:
    """One indicator of the programme: its key, its name as the programme words it
    (a project may rename it) and whether it counts euros rather than things."""

    key: str
    name: str
    money: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator("learning_events", "Policy-learning events held"),
    Indicator("good_practices", "Good practices identified"),
    Indicator("people_capacity", "People with increased professional capacity"),
    Indicator("action_plans", "Action plans developed"),
    Indicator("instruments_addressed", "Policy instruments addressed"),
    Indicator("instruments_improved", "Policy instruments improved"),
    Indicator("structural_funds", "Structural Funds influenced (EUR)", money=True),
    Indicator("other_funds", "Other funds influenced (EUR)", money=True),
    Indicator("media", "Appearances in media"),
)
INDICATOR_KEYS = frozenset(indicator.key for indicator in INDICATORS)

# The progress report's activity sections, in DOMAIN.md's order.
ACTIVITY_SECTIONS: tuple[str, ...] = (
    "Interregional meetings",
    "Webinars",
    "Thematic visits",
    "Stakeholder group meetings",
    "Good practices",
    "Action plans",
    "Situation reports and recommendations",
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
    order = {section: index for index, section in enumerate(ACTIVITY_SECTIONS)}
    for item in items:
        order.setdefault(item.section, len(order))
    return sorted(items, key=lambda item: (order[item.section], item.day or period.start))
