"""InterVentures' progress reports, indicator targets and media log (issue 18's demo):
P1–P4 approved by the programme, P5 in preparation; targets from the application form;
a media log of each partner's appearances. Loading twice changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from workspace.api import DEMO_ADMIN_EMAIL, Partner, User, db, periods

from . import figures, overview, progress
from .models import Confirmation, IndicatorSetting, MediaAppearance

TARGETS = {
    "learning_events": Decimal(14),
    "good_practices": Decimal(10),
    "people_capacity": Decimal(120),
    "action_plans": Decimal(5),
    "instruments_addressed": Decimal(5),
    "instruments_improved": Decimal(4),
    "structural_funds": Decimal("3500000"),
    "other_funds": Decimal("400000"),
    "media": Decimal(40),
}

# (partner, day, outlet, title, kind)
MEDIA = [
    (
        "Pannon EGTC",
        date(2019, 10, 8),
        "Dunántúli Napló",
        "Border regions join forces for SME export",
        "print",
    ),
    ("Pannon EGTC", date(2019, 11, 21), "Pécsi TV", "InterVentures kick-off meeting in Pécs", "tv"),
    (
        "Unioncamere Lombardia",
        date(2020, 2, 3),
        "Lombardia Notizie",
        "Chambers share internationalisation vouchers with four EU regions",
        "online",
    ),
    (
        "RARR",
        date(2020, 6, 18),
        "Nowiny Rzeszów",
        "Podkarpackie SMEs in a European learning network",
        "online",
    ),
    (
        "CEEI-Burgos",
        date(2020, 4, 16),
        "Diario de Burgos",
        "Burgos hosts an online European meeting on SME support",
        "print",
    ),
    (
        "SODEBUR",
        date(2020, 9, 29),
        "Radio Castilla",
        "Rural SMEs and foreign markets: the InterVentures approach",
        "radio",
    ),
    (
        "Klaipėda ID",
        date(2020, 10, 12),
        "Klaipėda.lt",
        "Klaipėda shares its SME support practice in Europe",
        "online",
    ),
    (
        "Klaipėda City",
        date(2021, 3, 4),
        "Vakarų ekspresas",
        "City plans new support for exporting companies",
        "print",
    ),
    (
        "AEBR",
        date(2021, 1, 27),
        "AEBR newsletter",
        "Webinars on SME internationalisation in five border regions",
        "online",
    ),
    (
        "RARR",
        date(2021, 5, 14),
        "Polskie Radio Rzeszów",
        "Interregional meeting in Rzeszów",
        "radio",
    ),
    (
        "Unioncamere Lombardia",
        date(2021, 6, 9),
        "Il Sole 24 Ore (Lombardia)",
        "Milan meeting closes the exchange of experience",
        "print",
    ),
    (
        "Pannon EGTC",
        date(2021, 7, 2),
        "LinkedIn",
        "Five regional action plans for SME internationalisation",
        "social",
    ),
    (
        "CEEI-Burgos",
        date(2021, 11, 23),
        "Burgos Conecta",
        "Action plan: export mentoring for start-ups",
        "online",
    ),
    (
        "Klaipėda ID",
        date(2022, 2, 15),
        "LRT Klaipėda",
        "Export vouchers included in the regional programme",
        "tv",
    ),
    (
        "Pannon EGTC",
        date(2022, 5, 19),
        "Portfolio.hu",
        "Baranya's development programme opens to exporters",
        "online",
    ),
]

SUMMARIES = {
    1: "The partnership started work: the kick-off meeting in Pécs, the first stakeholder "
    "group meetings in the five regions and the method for collecting good practices.",
    2: "The exchange of experience moved online: the partner meeting hosted by Burgos "
    "presented five good practices, and AEBR ran the first regional webinars.",
    3: "The interregional meeting in Rzeszów and the thematic visit to Burgos; the "
    "regional situation reports were endorsed by the stakeholder groups.",
    4: "Phase 1 closed with the meeting in Milan and the visit to Klaipėda; the regions "
    "drafted their action plans with AEBR, and the stakeholder groups endorsed the "
    "recommendations for regional policy.",
    5: "Phase 2: the regions monitor the actions of their plans and report how the "
    "policy instruments changed.",
}
NEXT = {
    1: "The partner meeting in Burgos and the first webinars; collecting the regions' good "
    "practices.",
    2: "The interregional meeting in Rzeszów, the thematic visit to Burgos and the regional "
    "situation reports.",
    3: "The meeting in Milan, the visit to Klaipėda and the first drafts of the action plans.",
    4: "Phase 2: monitoring the actions of the five action plans; the project's "
    "recommendations for the next programming period.",
    5: "The final conference and the Phase 2 report on each policy instrument.",
}
PROBLEMS = {
    2: "The pandemic moved the second interregional meeting online; the saved travel "
    "costs were moved to external expertise for the webinars within the 20 % flexibility.",
    3: "RARR submitted its partner report six days late; no effect on the payment.",
}


def _admin() -> User | None:
    return db.session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))


def load() -> None:
    admin = _admin()
    if admin is None:
        return
    for key, target in TARGETS.items():
        if db.session.scalar(select(IndicatorSetting).where(IndicatorSetting.indicator == key)):
            continue
        # No name of its own: the programme's, in each reader's language.
        db.session.add(IndicatorSetting(indicator=key, name="", target=target, version=1))
    partners = {p.short_name: p for p in db.session.scalars(select(Partner))}
    if not db.session.scalar(select(MediaAppearance.id).limit(1)):
        for name, day, outlet, title, kind in MEDIA:
            if name in partners:
                db.session.add(
                    MediaAppearance(
                        partner=partners[name],
                        day=day,
                        outlet=outlet,
                        title=title,
                        link=f"https://media.example.org/{day.isoformat()}",
                        kind=kind,
                        created_by_id=admin.id,
                    )
                )
    _confirm_suggestions(admin)
    today = overview.today()
    for period in periods()[:5]:
        if progress.find(period.number) is not None or period.start > today:
            continue
        written = {
            "summary": SUMMARIES.get(period.number, ""),
            "problems": PROBLEMS.get(period.number, "None worth reporting."),
            "next": NEXT.get(period.number, ""),
        }
        report = progress.start(period, admin, written)
        report.created_at = datetime.combine(min(period.end, today), time(10), UTC)
        submitted = period.report_due + timedelta(days=75)
        approved = submitted + timedelta(days=40)
        if period.number == 5 or submitted > today:
            continue  # in preparation, or (with the clock fixed early) not yet due
        try:
            progress.mark_ready(report, period, report.version, admin)
        except progress.Refused:
            continue  # a partner report is not certified yet
        progress.submit(report, period, report.version, submitted, admin)
        if approved <= today:
            progress.approve(report, report.version, approved, "Approved without changes.", admin)
        for step, day in zip(report.steps, (submitted, submitted, approved), strict=False):
            step.at = datetime.combine(day, time(11), UTC)
    db.session.flush()


def _confirm_suggestions(admin: User) -> None:
    """The partners confirmed the people suggested from the learning events of P1–P2
    (their coordinators did); those of later periods still wait. Before the progress
    reports are frozen, so that theirs count."""
    if db.session.scalar(select(Confirmation.id).limit(1)) is not None:
        return
    coordinators = {
        p.id: next((u for u in p.users if u.active), None)
        for p in db.session.scalars(select(Partner))
    }
    for counted in figures.Tally(None, admin).values:
        value = counted.value
        if not value.suggested or counted.period > 2 or counted.partner_id is None:
            continue
        who = coordinators.get(counted.partner_id)
        db.session.add(
            Confirmation(
                indicator=value.indicator,
                ref=value.ref,
                partner_id=counted.partner_id,
                by_id=who.id if who else admin.id,
                at=datetime.combine(periods()[counted.period - 1].report_due, time(9), UTC),
            )
        )
    db.session.flush()
