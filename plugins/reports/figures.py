"""The indicators' figures: what the modules count (``indicator_values``), the
suggestions partners confirmed, the corrections made by hand, and the project's names
and targets, tallied per partner and period.

A figure is kept per indicator, partner and period; a region's and the project's are
the sums of their partners' (with the values credited to no partner), and "to date" is
the sum of the periods up to the one shown. A correction replaces a partner's counted
figure for one period, and the difference it makes is shown wherever that figure is
part of a sum.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import select

from workspace.api import (
    INDICATORS,
    Indicator,
    IndicatorValue,
    Partner,
    Period,
    Region,
    User,
    db,
    in_language,
    indicator_values,
    period_of,
    periods,
)

from .models import Confirmation, Correction, IndicatorSetting

ZERO = Decimal(0)


def _id(thing: object) -> int | None:
    return getattr(thing, "id", thing)  # type: ignore[return-value]


@dataclass(frozen=True)
class Counted:
    """One value as the figures see it: in which period it falls, and whether it
    counts (a suggestion counts once its partner confirmed it)."""

    value: IndicatorValue
    period: int
    counts: bool
    confirmation: Confirmation | None = None

    @property
    def partner_id(self) -> int | None:
        return _id(self.value.partner)

    @property
    def region_id(self) -> int | None:
        return _id(self.value.region)


@dataclass
class Row:
    """An indicator's line: its project name, target, the figure of the period and to
    date, and the corrections that changed them."""

    indicator: Indicator
    name: str
    target: Decimal | None
    counted: Decimal = ZERO
    figure: Decimal = ZERO
    to_date: Decimal = ZERO
    awaiting: int = 0
    corrections: list[Correction] = field(default_factory=list)

    @property
    def progress(self) -> int | None:
        """Per cent of the target reached to date (None without a target)."""
        if not self.target:
            return None
        return int(self.to_date * 100 / self.target)


def settings() -> dict[str, IndicatorSetting]:
    return {s.indicator: s for s in db.session.scalars(select(IndicatorSetting))}


def name_of(indicator, setting: IndicatorSetting | None) -> str:
    """The project's own name for ``indicator`` if it set one, else the programme's in
    the reader's language (an empty stored name keeps the programme's)."""
    return setting.name if setting is not None and setting.name else indicator.name


def own_name(indicator, typed: str) -> str:
    """What to store for a name typed on the settings page: nothing when it is the
    programme's own (in English or the reader's language), so that every reader keeps
    reading it in their language."""
    with in_language("en"):
        english = indicator.name
    return "" if typed.strip() in (english, indicator.name) else typed


def names() -> dict[str, str]:
    saved = settings()
    return {i.key: name_of(i, saved.get(i.key)) for i in INDICATORS}


class Tally:
    """Every value of a scope (a partner, a region or the project) as ``user`` may
    see it, with the corrections and confirmations, ready to be summed."""

    def __init__(self, scope: Partner | Region | None, user: User | None = None) -> None:
        user = user if user is not None else current_user
        self.scope = scope
        self.periods = periods()
        found = indicator_values(scope, None, user)
        confirmed = {
            (c.indicator, c.ref): c
            for c in db.session.scalars(
                select(Confirmation).where(
                    Confirmation.ref.in_([v.ref for v in found if v.suggested])
                )
            )
        }
        self.values: list[Counted] = []
        for value in found:
            period = period_of(value.day, self.periods)
            if period is None:
                continue  # before the project's start or after its end
            confirmation = confirmed.get((value.indicator, value.ref))
            counts = not value.suggested or confirmation is not None
            self.values.append(Counted(value, period.number, counts, confirmation))
        query = select(Correction)
        if isinstance(scope, Partner):
            query = query.where(Correction.partner_id == scope.id)
        elif isinstance(scope, Region):
            query = query.where(Correction.partner_id.in_([p.id for p in scope.partners]))
        self.corrections = db.session.scalars(query.order_by(Correction.period)).all()

    def counted(self, indicator: str, period: int, partner_id: int | None = None) -> Decimal:
        """What the modules count for ``indicator`` in ``period`` (for one partner when
        ``partner_id`` is given), confirmed suggestions included."""
        return sum(
            (
                c.value.amount
                for c in self.values
                if c.counts
                and c.value.indicator == indicator
                and c.period == period
                and (partner_id is None or c.partner_id == partner_id)
            ),
            ZERO,
        )

    def correction(self, indicator: str, period: int, partner_id: int) -> Correction | None:
        return next(
            (
                c
                for c in self.corrections
                if c.indicator == indicator and c.period == period and c.partner_id == partner_id
            ),
            None,
        )

    def figure(self, indicator: str, period: int, partner_id: int | None = None) -> Decimal:
        """The figure shown: counted, with the corrections of the scope applied."""
        total = self.counted(indicator, period, partner_id)
        for c in self.corrections:
            same = c.indicator == indicator and c.period == period
            if same and (partner_id is None or c.partner_id == partner_id):
                total += c.value - self.counted(indicator, period, c.partner_id)
        return total

    def evidence(
        self, indicator: str, period: int | None = None, partner_id: int | None = None
    ) -> list[Counted]:
        return [
            c
            for c in self.values
            if c.value.indicator == indicator
            and (period is None or c.period == period)
            and (partner_id is None or c.partner_id == partner_id)
        ]

    def rows(self, period: Period) -> list[Row]:
        """Each indicator's line for ``period`` and to date (its periods up to it)."""
        saved = settings()
        rows = []
        for indicator in INDICATORS:
            setting = saved.get(indicator.key)
            row = Row(
                indicator,
                name_of(indicator, setting),
                setting.target if setting else None,
                counted=self.counted(indicator.key, period.number),
                figure=self.figure(indicator.key, period.number),
                to_date=sum(
                    (self.figure(indicator.key, p.number) for p in self.periods[: period.number]),
                    ZERO,
                ),
                awaiting=sum(
                    1
                    for c in self.evidence(indicator.key, period.number)
                    if not c.counts and c.value.suggested
                ),
                corrections=[
                    c
                    for c in self.corrections
                    if c.indicator == indicator.key and c.period == period.number
                ],
            )
            rows.append(row)
        return rows


def by_partner(tally: Tally, indicator: str, period: int) -> dict[int | None, Decimal]:
    """Partner id (None: credited to no partner) -> counted figure in ``period``."""
    totals: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for c in tally.evidence(indicator, period):
        if c.counts:
            totals[c.partner_id] += c.value.amount
    return totals
