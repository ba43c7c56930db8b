"""A report's items as JSON, and back: what a submission freezes.

Dates as ISO days and money as decimal strings, so the copy reads back exactly as it
was submitted, whatever the records became since."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from workspace.api import Expense, ReportItem

# The key of the item listing the files attached to a report's narrative.
NARRATIVE_FILES = "reports:narrative:"

_EXPENSE_DAYS = ("invoice_date", "payment_date")
_EXPENSE_MONEY = ("amount", "rate", "amount_eur")


def dumps(items: list[ReportItem]) -> str:
    def plain(item: ReportItem) -> dict:
        data = asdict(item)
        data["day"] = item.day.isoformat() if item.day else None
        data["attachments"] = list(item.attachments)
        if item.expense is not None:
            expense = data["expense"]
            for name in _EXPENSE_DAYS:
                expense[name] = expense[name].isoformat()
            for name in _EXPENSE_MONEY:
                expense[name] = str(expense[name])
        return data

    # ``default=str``: a label another plugin gave lazily is frozen as its text.
    return json.dumps([plain(item) for item in items], ensure_ascii=False, default=str)


def loads(text: str) -> list[ReportItem]:
    items = []
    for data in json.loads(text):
        expense = data.pop("expense")
        if expense is not None:
            for name in _EXPENSE_DAYS:
                expense[name] = date.fromisoformat(expense[name])
            for name in _EXPENSE_MONEY:
                expense[name] = Decimal(expense[name])
            expense = Expense(**expense)
        day = date.fromisoformat(data.pop("day")) if data.get("day") else data.pop("day")
        attachments = tuple(data.pop("attachments"))
        items.append(ReportItem(**data, day=day, expense=expense, attachments=attachments))
    return items


def readable(items: list[ReportItem]) -> list[ReportItem]:
    """The items as the reader reads them: the plugin's own item (the narrative's
    files), frozen in English, in the reader's language; the others as they are."""
    return [
        replace(
            item,
            section=_("Attachments"),
            title=_("Files attached to the narrative"),
            detail=ngettext("%(num)d file", "%(num)d files", len(item.attachments)),
        )
        if item.key.startswith(NARRATIVE_FILES)
        else item
        for item in items
    ]


def sections(items: list[ReportItem]) -> list[tuple[str, list[ReportItem]]]:
    """Items grouped under their section, sections in the order they first appear."""
    grouped: dict[str, list[ReportItem]] = {}
    for item in items:
        grouped.setdefault(item.section, []).append(item)
    return list(grouped.items())


def expenses(items: list[ReportItem]) -> list[ReportItem]:
    return [item for item in items if item.expense is not None]


def declared(items: list[ReportItem]) -> Decimal:
    return sum((item.expense.amount_eur for item in expenses(items)), Decimal("0.00"))
