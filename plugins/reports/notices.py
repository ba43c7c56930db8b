"""What the reports plugin tells people: a controller that a report waits for them, a
partner's staff that their report was returned (with the remarks) or certified.

Each person is told in their own language (``workspace.i18n.language_of``): the texts
are written once per language among the recipients."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workspace.api import (
    NotificationKind,
    Period,
    by_language,
    controllers_of,
    format_number,
    in_language,
    notify,
)

from .models import PartnerReport
from .workflow import ref

SUBMITTED = "reports.submitted"
RETURNED = "reports.returned"
CERTIFIED = "reports.certified"

KINDS = [
    NotificationKind(
        SUBMITTED,
        _l("A partner report I control is submitted"),
        _l("To the partner's controllers, as soon as its coordinator submits a report."),
    ),
    NotificationKind(
        RETURNED,
        _l("My organisation's report is returned"),
        _l("To the partner's staff, with the controller's remarks."),
    ),
    NotificationKind(
        CERTIFIED,
        _l("My organisation's report is certified"),
        _l("To the partner's staff, with the certified amount."),
        default="daily",
    ),
]


def _tell(
    users,
    kind: str,
    report: PartnerReport,
    texts: Callable[[], tuple[str, str]],
    url: str,
) -> None:
    """Notify ``users``, each group of them in its language: ``texts`` gives the
    subject and the body, called once per language."""
    partner = report.partner
    for language, people in by_language(users).items():
        with in_language(language):
            subject, body = texts()
            notify(
                people,
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

    def texts() -> tuple[str, str]:
        return (
            _(
                "%(partner)s submitted its report for %(period)s",
                partner=partner.short_name,
                period=period.label,
            ),
            _(
                "%(dates)s: declared EUR %(amount)s.",
                dates=period.span,
                amount=format_number(report.submission.declared_eur),
            ),
        )

    _tell(controllers_of(partner), SUBMITTED, report, texts, url)


def returned(report: PartnerReport, period: Period, url: str, remarks: str) -> None:
    def texts() -> tuple[str, str]:
        subject = _(
            "The report for %(period)s is returned: change it and submit it again",
            period=period.label,
        )
        return subject, remarks

    _tell(report.partner.users, RETURNED, report, texts, url)


def certified(report: PartnerReport, period: Period, url: str) -> None:
    def texts() -> tuple[str, str]:
        subject = _(
            "The report for %(period)s is certified: EUR %(amount)s",
            period=period.label,
            amount=format_number(report.certified_eur),
        )
        return subject, ""

    _tell(report.partner.users, CERTIFIED, report, texts, url)
