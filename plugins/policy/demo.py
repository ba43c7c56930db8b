"""The policy papers of the InterVentures demo: each region's situation report and
recommendations, reviewed by AEBR and endorsed by the region's stakeholder group in
Phase 1, and the project's recommendations for the next programming period, in review.

The texts are plausible summaries written for the demo, not the partners' own papers:
no figure in them is a statistic. Idempotent: a paper that exists is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from workspace.api import (
    DEMO_ADMIN_EMAIL,
    Link,
    Region,
    User,
    db,
    find_targets,
    switch_on_once,
)

from . import papers
from .models import Kind, Paper, PaperStep, State

ADVISER = "coordinator@aebr.example"

# region slug -> (partner key of its authors, its stakeholder group, the action the
# recommendations feed (a demo action's title), situation report sections,
# recommendations sections)
REGIONS = {
    "pannon": (
        "pannon",
        "Stakeholder group of Dél-Dunántúl",
        "Export vouchers for first-time exporters",
        [
            "Dél-Dunántúl borders Croatia; its SMEs are mostly small manufacturers, food "
            "producers and service firms around Pécs, and few of them sell abroad beyond "
            "occasional orders from across the border.",
            "Pannon EGTC, the county chamber of commerce and the university run separate "
            "support services; they meet on projects rather than as a standing network.",
            "GINOP priority 1 funds SME competitiveness, but its calls are written for firms "
            "that already export; county programmes offer fair stands and advice.",
            "First-time exporters lack a single entry point, market information in their "
            "language and small grants sized for a first contract abroad.",
            "Work on an entry point for first-time exporters, vouchers sized for them, and "
            "a standing cooperation of the support organisations with Croatian partners.",
        ],
        [
            "The region's SMEs are willing but inexperienced exporters; support exists but "
            "is scattered and aimed at firms that export already.",
            "Add an export-voucher line for first-time exporters to the regional GINOP call, "
            "and coaching after trade fairs for firms on joint stands.",
            "Both recommendations became actions of the regional action plan, with the "
            "managing authority among the players.",
            "- Keep a simple voucher for first exports in the 2021-2027 programme.\n"
            "- Let cross-border partnerships with Croatian firms count in the selection.",
        ],
    ),
    "lombardy": (
        "unioncamere",
        "Stakeholder group of Lombardia",
        "A coaching offer in the chambers",
        [
            "Lombardia has a dense fabric of manufacturing SMEs with long export "
            "experience, next to many micro firms that have never sold abroad.",
            "The chambers of commerce, Unioncamere Lombardia and the regional government "
            "run internationalisation calls together; trade associations add their own "
            "services.",
            "Axis III of the ROP ERDF funds vouchers for fairs, consultancy and digital "
            "export; calls are well known and often oversubscribed.",
            "Micro firms use vouchers once and stop; they need follow-up after the first "
            "step, and digital channels where fairs are out of reach.",
            "Keep the vouchers, and add coaching and shared participation in foreign fairs "
            "so that a first step leads to a second.",
        ],
        [
            "A mature system of calls reaches many firms, but micro firms rarely turn one "
            "voucher into lasting exports.",
            "Pair each voucher with a coaching offer in the chambers, and pool stands at "
            "foreign fairs for small manufacturers.",
            "Coaching and the fair pool are the two actions of the action plan for axis III.",
            "- Fund follow-up coaching as an eligible cost of internationalisation vouchers.\n"
            "- Allow digital fairs and marketplaces alongside physical fairs.",
        ],
    ),
    "podkarpackie": (
        "rarr",
        "Stakeholder group of Podkarpackie",
        "Innovation vouchers with universities",
        [
            "Podkarpackie lies on the EU's external border with Ukraine and borders "
            "Slovakia; aviation, manufacturing and food processing lead its economy.",
            "RARR, the universities of Rzeszów and business associations support SMEs; "
            "links between firms and researchers remain weak.",
            "Axis I of the regional programme funds research and innovation in SMEs; "
            "export promotion comes mostly from national schemes.",
            "SMEs need partners to develop products for foreign markets, and help to meet "
            "researchers and buyers across the border.",
            "Connect innovation support to internationalisation, and bring firms and "
            "researchers together regularly.",
        ],
        [
            "Innovation support and export support run side by side without meeting; "
            "cross-border contacts depend on individual initiative.",
            "Introduce innovation vouchers that SMEs spend with universities on products "
            "for foreign markets, and a yearly brokerage day.",
            "The vouchers and the brokerage day are the actions of the regional action plan.",
            "- Link innovation and internationalisation measures in one call.\n"
            "- Support cross-border cooperation with Slovak and Ukrainian partners.",
        ],
    ),
    "burgos": (
        "ceei",
        "Stakeholder group of Castilla y León",
        "Science and business meetings in the province",
        [
            "The province of Burgos combines an industrial city with a wide rural area; "
            "its SMEs work in food, automotive supply and tourism, close to the French "
            "and Portuguese markets.",
            "CEEI-Burgos, SODEBUR, the regional agency and the University of Burgos offer "
            "advice, incubation and finance, with good contacts between them.",
            "Axis 3 of the ERDF programme of Castilla y León finances SME competitiveness; "
            "few rural firms apply.",
            "Rural firms lack information, time and small-scale finance; start-ups outside "
            "the city rarely think of foreign markets early.",
            "Bring the support to rural towns, and combine small grants and loans for "
            "start-ups with an early international outlook.",
        ],
        [
            "Support is good in the city and thin in the province; rural firms are the "
            "gap the region should close.",
            "Hold science and business meetings in rural towns, and open a combined grant "
            "and loan line for start-ups outside the city.",
            "CEEI-Burgos and SODEBUR wrote both into their joint action plan for axis 3.",
            "- Reserve part of SME support for rural areas.\n"
            "- Simplify applications for small grants below a modest threshold.",
        ],
    ),
    "klaipeda": (
        "klaipedaid",
        "Stakeholder group of Klaipėda",
        "Export coaching for port companies",
        [
            "Klaipėda is Lithuania's sea port; logistics, port services, manufacturing and "
            "a growing start-up scene shape the region's SMEs.",
            "Klaipėda ID, the municipality, the science and technology park and the "
            "university support investment and start-ups.",
            "Priority 3 of the national operational programme finances SME "
            "competitiveness; calls are national, with few regional accents.",
            "Port-related SMEs export services but need coaching to win contracts abroad; "
            "start-ups need small first-stage finance.",
            "Coach port companies for foreign contracts, and offer vouchers to start-ups.",
        ],
        [
            "A port economy with international links, yet its SMEs rarely win contracts "
            "abroad on their own.",
            "Offer export coaching to port companies and vouchers to start-ups, managed "
            "with Klaipėda City.",
            "Both are actions of the action plan for priority 3.",
            "- Give regions a voice in national calls for SMEs.\n"
            "- Fund export coaching for service companies, not only for manufacturers.",
        ],
    ),
}

PROJECT_TEXT = [
    "Five border regions at different stages of internationalisation learnt from each "
    "other's practices; their recommendations agree on a few points.",
    "- Keep small, simple instruments for first steps abroad.\n"
    "- Fund follow-up (coaching, shared stands) as well as the first step.\n"
    "- Let cross-border partnerships count in the selection of projects.\n"
    "- Reach firms outside the main cities.",
    "Each partner takes the recommendations to its managing authority during the "
    "programming of 2021-2027; AEBR shares them with its member regions.",
]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def _body(kind: Kind, texts: list[str]) -> str:
    return "\n".join(
        f"## {name}\n\n{text}\n"
        for (name, _), text in zip(papers.TEMPLATES[kind], texts, strict=True)
    )


def _paper(region, kind, title, texts, author, steps) -> Paper | None:
    if papers.existing(region, kind) is not None:
        return None
    paper = papers.new_paper(region, kind, title, author, body=_body(kind, texts))
    for state, who, day, note, endorsed_by in steps:
        db.session.add(
            PaperStep(
                paper=paper,
                state=state.value,
                at=_at(day),
                by_id=who.id,
                note=note,
                endorsed_by=endorsed_by,
                endorsed_on=day if state is State.ENDORSED else None,
            )
        )
        paper.state = state.value
        paper.version += 1
        if state is State.ENDORSED:
            paper.endorsed_by, paper.endorsed_on = endorsed_by, day
    paper.created_at = _at(steps[0][2]) if steps else paper.created_at
    return paper


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def load() -> None:
    adviser = _user(ADVISER) or _user(DEMO_ADMIN_EMAIL)
    for offset, (slug, (partner, group, action, situation, recommendations)) in enumerate(
        REGIONS.items()
    ):
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        author = _user(f"editor@{partner}.example")
        coordinator = _user(f"coordinator@{partner}.example")
        if region is None or author is None or coordinator is None or adviser is None:
            continue
        switch_on_once(region, "policy")
        month = 10 + offset % 2  # the regions finish in turn
        _paper(
            region,
            Kind.SITUATION,
            f"Situation report: {region.name}",
            situation,
            author,
            [
                (State.REVIEW, author, date(2020, month, 5), "", ""),
                (
                    State.REVIEWED,
                    adviser,
                    date(2020, month, 20),
                    "A clear picture; say more about the partners across the border.",
                    "",
                ),
                (
                    State.ENDORSED,
                    coordinator,
                    date(2020, 12, 3 + 3 * offset),
                    "",
                    f"{group}, 3rd meeting",
                ),
            ],
        )
        paper = _paper(
            region,
            Kind.RECOMMENDATIONS,
            f"Recommendations for regional policy: {region.name}",
            recommendations,
            author,
            [
                (State.REVIEW, author, date(2021, 3, 8 + offset), "", ""),
                (
                    State.REVIEWED,
                    adviser,
                    date(2021, 4, 12 + offset),
                    "The recommendations follow from the analysis; each names its instrument.",
                    "",
                ),
                (
                    State.ENDORSED,
                    coordinator,
                    date(2021, 6, 14 + offset),
                    "",
                    f"{group}, 5th meeting",
                ),
            ],
        )
        if paper is not None:
            _link_plan(paper, action, region, author)
    lead = _user(DEMO_ADMIN_EMAIL)
    if lead is not None and adviser is not None:
        _paper(
            None,
            Kind.NEXT_PERIOD,
            "Recommendations for the next programming period",
            PROJECT_TEXT,
            lead,
            [(State.REVIEW, lead, date(2021, 7, 12), "", "")],
        )
    db.session.flush()


def _link_plan(paper: Paper, action: str, region: Region, author: User) -> None:
    """Link the recommendations to the action they feed, when the action plans are
    installed: found through the link hooks, as any plugin's object is."""
    for target in find_targets(action, author, plugins=["action_plans"]):
        if target.ref.startswith("action_plans:") and action in target.label:
            db.session.add(
                Link(source=paper.document.ref, target=target.ref, created_by_id=author.id)
            )
            return
