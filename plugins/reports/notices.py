"""What the reports plugin tells people: a controller that a report waits for them, a
partner's staff that their report was returned (with the remarks) or certified."""

from __future__ import annotations

from workspace.api import NotificationKind, Period, controllers_of, format_number, notify

from .models import PartnerReport
from .workflow import ref

SUBMITTED = "reports.submitted"
RETURNED = "reports.returned"
CERTIFIED = "reports.certified"

KINDS = [
    NotificationKind(
        SUBMITTED,
        "A partner report I control is submitted",
        "To the partner's controllers, as soon as its coordinator submits a report.",
    ),
    NotificationKind(
        RETURNED,
        "My organisation's report is returned",
        "To the partner's staff, with the controller's remarks.",
    ),
    NotificationKind(
        CERTIFIED,
        "My organisation's report is certified",
        "To the partner's staff, with the certified amount.",
        default="daily",
    ),
]


def _tell(users, kind: str, report: PartnerReport, subject: str, url: str, body: str = ""):
    partner = report.partner
    notify(
        users,
        kind,
        subject,
        url,
        body=body,
        region=partner.region,
        plugin="reports",
        target=ref(report),
        partner=partner,
    )


def submitted(report: PartnerReport, period: Period, url: str) -> None:
    partner = report.partner
    _tell(
        controllers_of(partner),
        SUBMITTED,
        report,
        f"{partner.short_name} submitted its report for {period.label}",
        url,
        f"{period.span}: declared EUR {format_number(report.submission.declared_eur)}.",
    )


def returned(report: PartnerReport, period: Period, url: str, remarks: str) -> None:
    _tell(
        report.partner.users,
        RETURNED,
        report,
        f"The report for {period.label} is returned: change it and submit it again",
        url,
        remarks,
    )


def certified(report: PartnerReport, period: Period, url: str) -> None:
    _tell(
        report.partner.users,
        CERTIFIED,
        report,
        f"The report for {period.label} is certified: EUR {format_number(report.certified_eur)}",
        url,
    )
