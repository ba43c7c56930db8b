"""The action plans of the InterVentures demo: a plan per region at different stages
(draft, in review, endorsed and monitored), and a second one in Klaipėda on a city
instrument (not a Structural Funds programme), two actions each, inspired by the demo's
good practices and meetings when those modules are installed. The endorsed plans'
actions have a Phase 2 history (``PHASE2``): implemented actions with costs on three
instruments, one in progress, one not implemented with its reason.

Idempotent: a region's plan for an instrument that exists already is left alone, and so
is the history of an action that has one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from workspace.api import (
    DEMO_ADMIN_EMAIL,
    Link,
    Region,
    User,
    db,
    find_targets,
    periods,
    switch_on_once,
)

from . import monitoring
from . import plans as rules
from .models import PeriodState, Plan, PlanAction, Progress, Status

# region, author's partner key, status, instrument, kind, language, other partners,
# context, summary, actions: (title, start, end, costs, funding, background, action,
# players, inspired by (practice or meeting title))
PLANS = [
    (
        "pannon", "pannon", Status.ENDORSED,
        "Economic Development and Innovation Operational Programme (GINOP), priority 1",
        "igj", "Hungarian", "",
        "GINOP priority 1 funds the competitiveness of SMEs; its calls rarely reach firms "
        "outside Budapest that have never exported.",
        "The plan brings two export-support measures into GINOP calls for Dél-Dunántúl.",
        [
            ("Export vouchers for first-time exporters", "2020-09", "2021-12", "850000",
             "GINOP 1.1, county co-funding",
             "Lombardia's vouchers reached four hundred small firms in one year.",
             "Add an export-voucher line, with Lombardia's eligibility rules, to the "
             "regional GINOP call.",
             "Pannon EGTC, the Ministry of Finance (managing authority), the county chamber.",
             "Call for Internationalization 2019"),
            ("Coaching after trade fairs", "2021-01", "2022-06", "120000", "GINOP 1.2",
             "The partners saw Burgos' coaching programme during the online meeting.",
             "Each firm on a joint stand gets four coaching sessions after the fair.",
             "Pécs-Baranya Chamber of Commerce and Industry, Pannon EGTC.",
             "Online partner meeting: good practices"),
        ],
    ),
    (
        "lombardy", "unioncamere", Status.ENDORSED,
        "ROP ERDF Lombardia 2014-2020, axis III", "igj", "Italian", "",
        "Axis III supports the competitiveness of Lombard SMEs through open calls managed "
        "with the chambers of commerce.",
        "The plan adds coaching and a regional fair pool to axis III.",
        [
            ("A coaching offer in the chambers", "2020-10", "2021-10", "300000", "ROP axis III",
             "CAST in Burgos pairs each young firm with a coach for a year.",
             "The chambers add a coaching offer for firms that receive vouchers.",
             "Unioncamere Lombardia, the twelve chambers, Regione Lombardia.",
             "CAST"),
            ("Shared stands at foreign fairs", "2021-03", "2021-12", "", "",
             "The Pécs-Baranya programme pools stands for small manufacturers.",
             "A regional pool books joint stands at four foreign fairs.",
             "Unioncamere Lombardia, trade associations.",
             "Pécs-Baranya Industrial Development Programme"),
        ],
    ),
    (
        "podkarpackie", "rarr", Status.REVIEW,
        "Regional Operational Programme for Podkarpackie 2014-2020, axis I", "igj", "Polish",
        "",
        "Axis I funds research and innovation in SMEs; links with universities are weak.",
        "The plan opens axis I to joint projects of firms and universities.",
        [
            ("Innovation vouchers with universities", "2020-11", "2022-03", "500000",
             "ROP axis I",
             "Lombardia's voucher call showed how simple rules draw many small firms.",
             "Vouchers for SMEs that buy research services from regional universities.",
             "RARR, Rzeszów University of Technology, the Marshal's Office.",
             "Call for Internationalization 2019"),
            ("A regional brokerage day", "2021-04", "2021-04", "15000", "RARR's own budget",
             "The 3rd interregional meeting in Rzeszów matched firms and researchers.",
             "A yearly brokerage day between firms and research teams.",
             "RARR, the universities, the regional chamber.",
             "3rd interregional meeting, Rzeszów"),
        ],
    ),
    (
        "burgos", "ceei", Status.DRAFT,
        "Operational Programme ERDF Castilla y León 2014-2020, axis 3", "igj", "Spanish",
        "SODEBUR",
        "Axis 3 finances the competitiveness of SMEs in Castilla y León; few rural firms "
        "of the province of Burgos apply.",
        "A joint plan of CEEI-Burgos and SODEBUR to bring rural firms to axis 3.",
        [
            ("Science and business meetings in the province", "2021-02", "2022-02", "60000",
             "ERDF axis 3, Diputación de Burgos",
             "Podkarpackie's Science and Business programme matches firms and researchers.",
             "Quarterly meetings in rural towns between firms and the University of Burgos.",
             "CEEI-Burgos, SODEBUR, University of Burgos.",
             "Science and Business"),
            ("Financial support for rural start-ups", "2021-06", "2022-12", "400000",
             "ERDF axis 3",
             "Klaipėda's support for SMEs combines small grants and loans.",
             "A combined grant and loan line for start-ups outside the city of Burgos.",
             "SODEBUR, the regional development agency (ICE).",
             "Thematic visit on good practices, Burgos"),
        ],
    ),
    (
        "klaipeda", "klaipedaid", Status.DRAFT,
        "Operational Programme for EU Structural Funds Investments in Lithuania 2014-2020, "
        "priority 3", "igj", "Lithuanian", "Klaipėda City",
        "", "",
        [
            ("Export coaching for port companies", "2021-01", "", "", "",
             "The Pécs-Baranya programme coaches manufacturers after trade fairs.",
             "", "",
             "Pécs-Baranya Industrial Development Programme"),
            ("Start-up vouchers", "", "", "", "",
             "", "", "",
             "Thematic visit on good practices, Klaipėda"),
        ],
    ),
    (
        "klaipeda", "klaipedacity", Status.ENDORSED,
        "Klaipėda City Strategic Development Plan 2021-2030, business support programme",
        "other", "Lithuanian", "Klaipėda ID",
        "The city's business support programme pays for fairs and advice from the municipal "
        "budget; until now it had no line for firms that start exporting.",
        "The plan adds export missions and an export desk to the city's programme.",
        [
            ("Export missions for city firms", "2021-09", "2022-06", "75000",
             "Klaipėda City municipal budget",
             "The thematic visit in Burgos showed missions prepared with the firms for months.",
             "Two export missions a year for small firms of the city, prepared with Klaipėda ID.",
             "Klaipėda Municipal Administration, Klaipėda ID, Klaipėda Chamber of Commerce.",
             "Thematic visit on good practices, Burgos"),
            ("A one-stop export desk", "2022-01", "2022-12", "40000",
             "Klaipėda City municipal budget",
             "CAST in Burgos gives young firms one door for every question.",
             "An export desk in the city's business centre answers firms' first questions.",
             "Klaipėda Municipal Administration, Klaipėda ID.",
             "CAST"),
        ],
    ),
]  # fmt: skip


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


# When each author's plan was started and last changed (an endorsed plan: endorsed),
# so that the reports and indicators find the demo's plans in Phase 1's periods.
DATES = {
    "pannon": (_utc(2020, 2, 10), _utc(2020, 6, 30)),
    "unioncamere": (_utc(2020, 2, 12), _utc(2020, 6, 30)),
    "rarr": (_utc(2020, 9, 14), _utc(2021, 3, 1)),
    "ceei": (_utc(2021, 1, 18), _utc(2021, 5, 12)),
    "klaipedaid": (_utc(2021, 2, 8), _utc(2021, 4, 20)),
    "klaipedacity": (_utc(2020, 11, 16), _utc(2021, 6, 15)),
}
P5_RECORDED = _utc(2021, 12, 15)

# The Phase 2 history of the endorsed plans' actions, by action title: (period number,
# state, evidence or the reason it was not implemented, how the instrument changed,
# when it was recorded).
PHASE2 = {
    "Export vouchers for first-time exporters": [
        (4, Progress.IN_PROGRESS,
         "The managing authority agreed to add the voucher line; the call text is being "
         "drafted.", "", _utc(2021, 6, 20)),
        (5, Progress.IMPLEMENTED,
         "The call opened in September 2021; 58 vouchers were granted by December.",
         "The regional GINOP call has an export-voucher line, with Lombardia's eligibility "
         "rules, for firms that have never exported.", P5_RECORDED),
    ],
    "Coaching after trade fairs": [
        (5, Progress.IN_PROGRESS,
         "Twelve firms coached so far; the second round starts in the autumn.", "",
         P5_RECORDED),
    ],
    "A coaching offer in the chambers": [
        (5, Progress.IMPLEMENTED, "140 firms coached in the first year.",
         "Axis III voucher calls now fund a year of coaching in the chambers for the firms "
         "they select.", P5_RECORDED),
    ],
    "Shared stands at foreign fairs": [
        (5, Progress.NOT_IMPLEMENTED,
         "Foreign fairs were cancelled in 2021; the budget moved to digital fairs.", "",
         P5_RECORDED),
    ],
    "Export missions for city firms": [
        (5, Progress.IMPLEMENTED,
         "Missions to Gdańsk (March 2022) and Kiel (May 2022) took 14 firms abroad.",
         "The city's business support programme has a line for two export missions a year.",
         _utc(2022, 6, 20)),
    ],
    "A one-stop export desk": [
        (5, Progress.IN_PROGRESS,
         "The desk opened in the business centre in April 2022; six firms a month use it.",
         "", _utc(2022, 6, 20)),
    ],
}  # fmt: skip


def load() -> None:
    for row in PLANS:
        slug, partner_key, status, instrument = row[:4]
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        author = db.session.scalar(
            select(User).where(User.email == f"coordinator@{partner_key}.example")
        )
        if region is None or author is None:
            continue
        switch_on_once(region, "action_plans")
        exists = db.session.scalar(
            select(Plan.id).where(Plan.region_id == region.id, Plan.instrument_name == instrument)
        )
        if exists is None:
            _add(region, author, DATES[partner_key], *row[2:])
    _phase2()


def _add(
    region,
    author,
    dates,
    status,
    instrument,
    kind,
    language,
    others,
    context,
    summary,
    actions,
):
    plan = rules.new_plan(
        region,
        author,
        instrument_name=instrument,
        instrument_kind=kind,
        language=language,
        other_partners=others,
        contact=f"{author.name}, {author.email}",
        context=context,
        summary=summary,
    )
    for title, start, end, costs, funding, background, action_text, players, source in actions:
        body = (
            f"## Background\n\n{background}\n\n## Action\n\n{action_text}\n\n"
            f"## Players involved\n\n{players}\n"
        )
        action = rules.add_action(
            plan,
            author,
            title,
            body=body,
            start_month=start,
            end_month=end,
            costs=Decimal(costs) if costs else None,
            funding_sources=funding,
        )
        target = _source_ref(source)
        if target is not None:
            db.session.add(
                Link(source=action.ref, target=target, kind="inspired_by", created_by_id=author.id)
            )
    if status is not Status.DRAFT:
        plan.status = status.value
    if status is Status.ENDORSED:
        plan.endorsed_by_id = author.id
        plan.endorsed_partner_id = author.partner_id
        plan.endorsed_at = dates[1]
        for action in plan.actions:
            rules.add_evidence_document(action, author)
    plan.created_at, plan.updated_at = dates
    db.session.flush()


def _phase2() -> None:
    """The Phase 2 history of the endorsed demo plans' actions that have none yet,
    recorded by their plan's author, under the periods of the calendar at hand."""
    all_periods = {p.number: p for p in periods()}
    actions = db.session.scalars(
        select(PlanAction)
        .join(PlanAction.plan)
        .where(PlanAction.title.in_(list(PHASE2)), Plan.status == Status.ENDORSED.value)
    ).all()
    for action in actions:
        if action.history:
            continue
        for number, state, note, change, recorded in PHASE2[action.title]:
            period = all_periods.get(number)
            if period is None:
                continue
            not_done = state is Progress.NOT_IMPLEMENTED
            action.history.append(
                PeriodState(
                    period=number,
                    day=period.end,
                    progress=state.value,
                    reason=note if not_done else "",
                    evidence="" if not_done else note,
                    instrument_change=change,
                    recorded_by_id=action.plan.created_by_id,
                    recorded_at=recorded,
                )
            )
        monitoring.sync_current(action)
    db.session.flush()


def _source_ref(title: str) -> str | None:
    """The demo practice or meeting of that title, when its module is installed:
    found through the link hooks, as any plugin's object is (meetings are labelled
    with their date)."""
    admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    for target in find_targets(title, admin, plugins=["portfolio", "minutes"]):
        if target.label == title or target.label.startswith(f"{title} ("):
            return target.ref
    return None
