"""A progress report as submitted: what it gathered (partner reports, activities,
indicators, media), frozen as JSON when it is submitted to the programme, so that the
report the programme approved reads the same later, whatever changes in the records.
Thawed into plain objects with the attributes the pages and the DOCX read.

The JSON holds codes, not labels: a state and a media kind are named when shown, in
the reader's language (reports frozen before kept the English label; it is looked up
as a message when shown)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace as Thing
from typing import Any

from flask_babel import gettext as _

from workspace.api import Period, ReportItem

from .models import MediaKind, State


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def freeze(gathered: Any) -> str:
    return json.dumps(
        {
            "partners": [
                {
                    "partner": line.partner.short_name,
                    "state": line.state.value if line.state is not None else None,
                    "certified": _money(line.certified_eur),
                    "left_out": line.left_out.reason if line.left_out is not None else None,
                }
                for line in gathered.partners
            ],
            "certified_total": str(gathered.certified_total),
            "activities": [
                [
                    section,
                    [
                        {"title": i.title, "url": i.url, "day": _day(i.day), "detail": i.detail}
                        for i in items
                    ],
                ]
                for section, items in gathered.activities
            ],
            "indicators": [
                {
                    "key": row.indicator.key,
                    "money": row.indicator.money,
                    "name": str(row.name),
                    "counted": str(row.counted),
                    "figure": str(row.figure),
                    "to_date": str(row.to_date),
                    "target": _money(row.target),
                    "corrections": [
                        {
                            "partner": c.partner.short_name,
                            "value": str(c.value),
                            "counted": str(c.counted),
                            "reason": c.reason,
                        }
                        for c in row.corrections
                    ],
                }
                for row in gathered.indicators
            ],
            "media": [
                {
                    "day": _day(m.day),
                    "outlet": m.outlet,
                    "kind": m.kind,
                    "title": m.title,
                    "link": m.link,
                    "partner": m.partner.short_name,
                }
                for m in gathered.media
            ],
        },
        default=str,
    )


def _state(frozen: str):
    """A partner report's state as frozen: its code (or, frozen before, its English
    label), shown in the reader's language."""
    try:
        return State(frozen)
    except ValueError:
        return Thing(label=_(frozen), value="")


def _kind_label(entry: dict) -> str:
    """A media kind as frozen: its code (or, frozen before, its English label)."""
    try:
        return MediaKind(entry.get("kind")).label
    except ValueError:
        label = entry.get("kind_label") or ""
        return _(label) if label else ""


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def thaw(text: str, period: Period, report: Any) -> Thing:
    data = json.loads(text)
    return Thing(
        period=period,
        report=report,
        frozen=True,
        partners=[
            Thing(
                partner=Thing(short_name=p["partner"], id=None),
                state=_state(p["state"]) if p["state"] else None,
                certified_eur=_decimal(p["certified"]),
                left_out=Thing(reason=p["left_out"]) if p["left_out"] is not None else None,
                settled=True,
            )
            for p in data["partners"]
        ],
        certified_total=Decimal(data["certified_total"]),
        activities=[
            (
                section,
                [
                    ReportItem(
                        section,
                        "",
                        i["title"],
                        url=i["url"],
                        day=date.fromisoformat(i["day"]) if i["day"] else None,
                        detail=i["detail"],
                    )
                    for i in items
                ],
            )
            for section, items in data["activities"]
        ],
        indicators=[
            Thing(
                indicator=Thing(key=r["key"], money=r["money"]),
                name=r["name"],
                counted=Decimal(r["counted"]),
                figure=Decimal(r["figure"]),
                to_date=Decimal(r["to_date"]),
                target=_decimal(r["target"]),
                corrections=[
                    Thing(
                        partner=Thing(short_name=c["partner"]),
                        value=Decimal(c["value"]),
                        counted=Decimal(c["counted"]),
                        reason=c["reason"],
                    )
                    for c in r["corrections"]
                ],
            )
            for r in data["indicators"]
        ],
        media=[
            Thing(
                day=date.fromisoformat(m["day"]),
                outlet=m["outlet"],
                kind_label=_kind_label(m),
                title=m["title"],
                link=m["link"],
                partner=Thing(short_name=m["partner"]),
            )
            for m in data["media"]
        ],
    )
