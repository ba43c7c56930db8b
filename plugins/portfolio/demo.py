"""Demo content: the five good practices presented at the online partner meeting
hosted by Burgos on 2020-04-15, some ratings, and the analysis of the Burgos visit.

Idempotent: a practice or analysis whose title exists already is left as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from workspace.api import Link, Region, User, db, find_targets

from . import practices as rules
from .models import Analysis, Practice, Status

PRESENTED_ON = date(2020, 4, 15)

# region slug, author e-mail, status, fields, sections of the long text
PRACTICES = [
    (
        "pannon",
        "coordinator@pannon.example",
        Status.APPROVED,
        dict(
            title="Pécs-Baranya Industrial Development Programme",
            institution="Pécs-Baranya Chamber of Commerce and Industry",
            country="HU",
            nuts="HU231",
            city="Pécs",
            summary="A county programme that pairs local manufacturers with foreign buyers "
            "through sector days, joint trade-fair stands and export coaching.",
            starts_on=date(2016, 1, 1),
            topic="SME competitiveness",
            keywords="export, manufacturing, trade fairs, coaching",
            website="https://www.pbkik.hu",
            contact="Industrial development desk, +36 72 507 100",
        ),
        [
            "Twice a year the chamber selects twenty manufacturers, audits their export "
            "readiness and books them on a joint stand at a foreign trade fair.",
            "Two advisers, a shared stand budget of about EUR 60,000 a year, county co-funding.",
            "Sixty-four SMEs took part since 2016; a third of them signed a first foreign "
            "contract.",
            "Small firms needed help with follow-up after the fair; a mentor now calls each one "
            "four weeks later.",
            "Suits regions with a chamber able to pool stands; the audit grid transfers as it is.",
        ],
    ),
    (
        "lombardy",
        "coordinator@unioncamere.example",
        Status.APPROVED,
        dict(
            title="Call for Internationalization 2019",
            institution="Unioncamere Lombardia",
            country="IT",
            nuts="ITC4C",
            city="Milan",
            summary="Vouchers for SMEs that buy internationalisation services: market studies, "
            "foreign fairs, digital export channels.",
            starts_on=date(2019, 3, 1),
            ends_on=date(2019, 12, 31),
            topic="SME competitiveness",
            keywords="vouchers, export, digital marketing",
            website="https://www.unioncamerelombardia.it",
            contact="Internationalisation office",
        ),
        [
            "An open call of the regional chambers: SMEs apply online for vouchers of up to "
            "EUR 10,000 covering half the cost of services from accredited providers.",
            "EUR 3.5 million from the region and the chambers; an online application platform.",
            "412 vouchers granted; 71 % of the firms report new foreign customers a year later.",
            "Demand exceeded the budget in two days; a second window with a lottery followed.",
            "Any region with a voucher scheme can copy the eligibility rules and the "
            "provider list.",
        ],
    ),
    (
        "podkarpackie",
        "coordinator@rarr.example",
        Status.APPROVED,
        dict(
            title="Science and Business",
            institution="Rzeszów Regional Development Agency",
            country="PL",
            nuts="PL823",
            city="Rzeszów",
            summary="Matchmaking between university laboratories and regional SMEs, with "
            "small grants for a first joint project.",
            starts_on=date(2017, 9, 1),
            topic="Research and innovation",
            keywords="matchmaking, universities, innovation vouchers",
            website="https://www.rarr.rzeszow.pl",
            contact="Innovation team",
        ),
        [
            "Brokers of the agency visit SMEs, write down a technical need, and find a "
            "laboratory of the region's universities to solve it in a short joint project.",
            "Three brokers and a grant line of EUR 400,000 a year.",
            "Ninety joint projects; twelve led to a patent application or a new product.",
            "Universities answer slowly; fixed response times are now part of the agreement.",
            "Transferable where universities sign a service charter with the agency.",
        ],
    ),
    (
        "burgos",
        "coordinator@ceei.example",
        Status.APPROVED,
        dict(
            title="CAST",
            institution="CEEI-Burgos",
            country="ES",
            nuts="ES412",
            city="Burgos",
            summary="Coaching and accompaniment for small firms taking their first steps in "
            "foreign markets, from plan to first contract.",
            starts_on=date(2018, 2, 1),
            topic="SME competitiveness",
            keywords="coaching, internationalisation, start-ups",
            website="https://www.ceeiburgos.es",
            contact="Internationalisation coaching",
        ),
        [
            "Each firm gets a coach for twelve months: an export plan, a target market, and "
            "accompanied visits to buyers.",
            "Four coaches, a travel budget, partnerships with the regional trade agency.",
            "Thirty-five firms coached; twenty-two export regularly two years later.",
            "Firms underestimated the time needed; the plan now sets monthly milestones.",
            "Works in any region with a business innovation centre; coaches need export "
            "experience.",
        ],
    ),
    (
        "klaipeda",
        "coordinator@klaipedaid.example",
        Status.SUBMITTED,
        dict(
            title="Financial support for SMEs",
            institution="Klaipėda ID",
            country="LT",
            nuts="LT023",
            city="Klaipėda",
            summary="A municipal fund that co-finances the first foreign trade mission and "
            "certification costs of small firms.",
            starts_on=date(2018, 5, 1),
            topic="SME competitiveness",
            keywords="grants, trade missions, certification",
            website="https://www.klaipedaid.lt",
            contact="Business support desk",
        ),
        [
            "Small firms of the city apply for up to EUR 5,000 towards a trade mission or a "
            "product certification needed to sell abroad.",
            "EUR 250,000 a year from the city budget; one officer.",
            "120 firms supported; certification grants gave the fastest results.",
            "Paperwork put firms off; the form is now two pages and online.",
            "Easy to copy for a city with its own business fund.",
        ],
    ),
]

# practice title -> region slug -> (score, note)
RATINGS = {
    "Pécs-Baranya Industrial Development Programme": {
        "burgos": (2, "Joint stands could help our food firms."),
        "klaipeda": (3, "Planned for 2021 with the port companies."),
    },
    "Call for Internationalization 2019": {
        "pannon": (3, "Voucher rules fit our county programme."),
        "podkarpackie": (2, ""),
        "burgos": (1, "Our regional call is similar already."),
    },
    "Science and Business": {
        "lombardy": (1, ""),
        "klaipeda": (2, "University of Klaipėda is interested."),
    },
    "CAST": {
        "pannon": (2, "Coaching would complete our trade-fair days."),
        "lombardy": (3, "Transfer to the chambers' coaching offer."),
        "podkarpackie": (2, ""),
    },
}

ANALYSIS = "Portfolio analysis: thematic visit to Burgos"
PRESENTED_AT = "Online partner meeting: good practices"


def load() -> None:
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    by_title = {p.title: p for p in db.session.scalars(select(Practice))}
    for slug, email, status, fields, texts in PRACTICES:
        region = regions.get(slug)
        author = db.session.scalar(select(User).where(User.email == email))
        if region is None or author is None or fields["title"] in by_title:
            continue
        body = "".join(
            f"## {name}\n\n{text}\n\n" for name, text in zip(rules.SECTIONS, texts, strict=True)
        )
        practice = rules.new_practice(region, author, body=body, **fields)
        practice.status = status.value
        if status is Status.APPROVED:
            practice.decided_at = datetime(2020, 4, 30, 10, 0, tzinfo=UTC)
            practice.decided_by_id = _admin_id()
        by_title[practice.title] = practice
    db.session.flush()
    for title, scores in RATINGS.items():
        practice = by_title.get(title)
        if practice is None or practice.ratings:
            continue
        for slug, (score, note) in scores.items():
            rater = _rater(slug)
            if slug in regions and rater is not None:
                rules.rate(practice, regions[slug], rater, score, note)
    if db.session.scalar(select(Analysis).where(Analysis.title == ANALYSIS)) is None:
        _analysis(regions.get("burgos"), list(by_title.values()))
    _presented(list(by_title.values()))


def _presented(practices: list[Practice]) -> None:
    """With the minutes plugin installed, the practices were presented at the online
    partner meeting of 2020-04-15 (its demo runs first: ``PLUGIN.after``). The
    meeting is found through the link hooks, as any plugin's object is."""
    admin = db.session.get(User, _admin_id()) if _admin_id() is not None else None
    meeting = next(
        (
            target
            for target in find_targets(PRESENTED_AT, admin, plugins=["minutes"])
            if target.label.startswith(f"{PRESENTED_AT} (")
        ),
        None,
    )
    if meeting is None:
        return
    for practice in practices:
        link = db.session.scalar(
            select(Link).where(
                Link.source == practice.ref,
                Link.target == meeting.ref,
                Link.kind == "presented_at",
            )
        )
        if link is None:
            db.session.add(
                Link(
                    source=practice.ref,
                    target=meeting.ref,
                    kind="presented_at",
                    created_by_id=practice.created_by_id,
                )
            )


def _admin_id() -> int | None:
    return db.session.scalar(select(User.id).where(User.is_admin.is_(True)).order_by(User.id))


def _rater(slug: str) -> User | None:
    from workspace.api import Membership, MembershipRole

    return db.session.scalar(
        select(User)
        .join(Membership)
        .join(Region)
        .where(Region.slug == slug, Membership.role == MembershipRole.COORDINATOR)
        .order_by(User.id)
    )


def _analysis(region: Region | None, practices: list[Practice]) -> None:
    from workspace.api import create_document

    author = _rater("burgos")
    if region is None or author is None:
        return
    conclusions = (
        "## Conclusions\n\n"
        "The partners met online on 15 April 2020 instead of visiting Burgos. Five practices "
        "were presented; coaching (CAST) and export vouchers (Call for Internationalization "
        "2019) drew the most interest.\n\n"
        "## Practices to transfer\n\n"
        "- **CAST** to Lombardia, through the chambers' coaching offer.\n"
        "- **Call for Internationalization 2019** to Dél-Dunántúl, inside the county "
        "programme.\n"
        "- **Pécs-Baranya Industrial Development Programme** to Klaipėda, with the port "
        "companies.\n"
    )
    document = create_document(
        f"Conclusions: {ANALYSIS}", conclusions, region, author, plugin="portfolio"
    )
    analysis = Analysis(
        title=ANALYSIS,
        region=region,
        visit_on=PRESENTED_ON,
        document=document,
        created_by_id=author.id,
        practices=[p for p in practices if p.status in ("approved", "submitted")],
    )
    db.session.add(analysis)
    db.session.flush()
    rules.link_texts(document, analysis.ref)
