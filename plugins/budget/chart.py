"""The cumulative spend-against-plan chart, drawn as SVG on the server (no script)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from workspace.api import format_number

from .ledger import ZERO, Figures

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 40


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    planned_points: str
    spent_points: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    today_x: float | None
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    summary: str


def _nice_step(maximum: Decimal) -> Decimal:
    """A round grid step giving four or five lines up to ``maximum``."""
    raw = maximum / 4
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    for factor in (1, 2, 2.5, 5, 10):
        step = magnitude * Decimal(str(factor))
        if step >= raw:
            return step
    return magnitude * 10


def _short(amount: Decimal) -> str:
    """An axis label: "1.2 M", "350 k", "80", in the reader's format."""
    if amount >= 1_000_000:
        # Translators: an axis label of a chart in millions of euros ("1.2 M").
        return _("%(number)s M", number=format_number(amount / 1_000_000, 0, 2))
    if amount >= 1000:
        # Translators: an axis label of a chart in thousands of euros ("350 k").
        return _("%(number)s k", number=format_number(amount / 1000, 0))
    return format_number(amount, 0)


def build(figures: Figures, on: date) -> Chart:
    rows = figures.period_rows()
    start, end = figures.periods[0].start, figures.periods[-1].end
    days = max((end - start).days + 1, 1)
    top = max(figures.total, figures.total_spent, Decimal(1))
    step = _nice_step(top)
    y_max = step * ((top / step).to_integral_value(rounding="ROUND_CEILING"))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + plot_w * min(max((day - start).days + 1, 0), days) / days, 1)

    def y(amount: Decimal) -> float:
        return round(TOP + plot_h - float(amount / y_max) * plot_h, 1)

    origin = f"{LEFT},{y(ZERO)}"
    planned = [origin] + [f"{x(r.period.end)},{y(r.cumulative_planned)}" for r in rows]
    # Spending is drawn up to the last period that has begun.
    spent = [origin] + [
        f"{x(min(r.period.end, on))},{y(r.cumulative_spent)}" for r in rows if r.period.start <= on
    ]
    y_ticks = []
    value = ZERO
    while value <= y_max:
        y_ticks.append(Tick(y(value), _short(value)))
        value += step
    x_ticks = [Tick(x(r.period.end), r.label) for r in rows]
    today_x = x(on) if start <= on <= end else None
    spent_total, planned_total = figures.total_spent, figures.total
    return Chart(
        WIDTH,
        HEIGHT,
        " ".join(planned),
        " ".join(spent) if len(spent) > 1 else "",
        x_ticks,
        y_ticks,
        today_x,
        LEFT,
        WIDTH - RIGHT,
        TOP,
        TOP + plot_h,
        ngettext(
            "Cumulative spending EUR %(spent)s against a plan of EUR %(planned)s "
            "over %(num)d reporting period.",
            "Cumulative spending EUR %(spent)s against a plan of EUR %(planned)s "
            "over %(num)d reporting periods.",
            len(rows),
            spent=format_number(spent_total),
            planned=format_number(planned_total),
        ),
    )
