"""The minutes part of the InterVentures demo: the four interregional meetings, the
online partner meeting of 2020-04-15 hosted by Burgos, the two thematic visits, and
action items open, overdue and done; each region's stakeholder group (its register and
its meetings) and webinar (``demo_groups``). Idempotent: a meeting that exists (by
title), or a member of a group (by region and name), is left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from workspace.api import (
    Partner,
    Region,
    User,
    create_document,
    db,
    now,
    switch_on_once,
)

from . import demo_groups, notifications
from .models import (
    AgendaItem,
    Approval,
    ApprovalState,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Outcome,
    OutcomeKind,
    Participant,
    Stakeholder,
)
from .views import link_minutes

DEMO_REGIONS = ["pannon", "lombardy", "podkarpackie", "burgos", "klaipeda"]
ALL_PARTNERS = [
    "Pannon EGTC",
    "Unioncamere Lombardia",
    "RARR",
    "CEEI-Burgos",
    "SODEBUR",
    "Klaipėda ID",
    "Klaipėda City",
    "AEBR",
]
GOOD_PRACTICES = [
    ("Pécs-Baranya Industrial Development Programme (HU)", "Pannon EGTC"),
    ("Call for Internationalization 2019 (IT)", "Unioncamere Lombardia"),
    ("Science and Business (PL)", "RARR"),
    ("CAST (ES)", "CEEI-Burgos"),
    ("Financial support for SMEs (LT)", "Klaipėda ID"),
]


@dataclass
class DemoOutcome:
    kind: OutcomeKind
    text: str
    owner: str = ""  # e-mail of the owner, for action items
    due: date | None = None
    done: bool = False


@dataclass
class DemoItem:
    title: str
    minutes: int
    presenter: str = ""
    section: str = ""
    outcomes: list[DemoOutcome] = field(default_factory=list)
    notes: str = ""


@dataclass
class DemoMeeting:
    title: str
    kind: MeetingKind
    region: str | None
    day: date
    start: time
    end: time
    zone: str
    place: str = ""
    online_url: str = ""
    agenda: list[DemoItem] = field(default_factory=list)
    guests: list[tuple[str, str]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    approved_by: list[str] = field(default_factory=list)  # partner short names
    commented_by: dict[str, str] = field(default_factory=dict)
    minutes: str = ""
    # Partners invited as organisations (None: all eight); people present by e-mail;
    # members of the region's stakeholder group invited, and those of them absent.
    partners: list[str] | None = None
    people: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    members_absent: tuple[str, ...] = ()
    creator: str = ""  # e-mail; the admin when empty
    speakers: str = ""
    attendee_count: int | None = None
    recording_url: str = ""


def _meetings(today: date) -> list[DemoMeeting]:
    action, decision, info = OutcomeKind.ACTION, OutcomeKind.DECISION, OutcomeKind.INFORMATION
    return [
        DemoMeeting(
            "1st interregional meeting, Pécs",
            MeetingKind.INTERREGIONAL,
            "pannon",
            date(2019, 11, 13),
            time(9, 0),
            time(17, 0),
            "Europe/Budapest",
            place="Pécs, Zsolnay Cultural Quarter",
            agenda=[
                DemoItem("Welcome and kick-off", 30, "Zsófia Nagy", "Opening"),
                DemoItem(
                    "Work plan of Phase 1 and reporting periods",
                    60,
                    "Zsófia Nagy",
                    "Project management",
                    [
                        DemoOutcome(
                            decision,
                            "Partner reports reach the controllers within two weeks of the end "
                            "of each six-month period.",
                        ),
                    ],
                ),
                DemoItem(
                    "Regional situation reports: method",
                    90,
                    "Sabine Weber",
                    "Exchange of experience",
                    [
                        DemoOutcome(
                            action,
                            "Send the template of the regional situation report to all partners.",
                            "editor@aebr.example",
                            date(2019, 12, 6),
                            done=True,
                        )
                    ],
                ),
                DemoItem("Training: SME internationalisation support", 120, "AEBR", "Training"),
                DemoItem("Stakeholder workshop", 90, "", "Training"),
            ],
            approved_by=ALL_PARTNERS,
            minutes="## Summary\n\nThe partners met in Pécs for the kick-off of InterVentures.",
        ),
        DemoMeeting(
            "Thematic visit on good practices, Burgos",
            MeetingKind.THEMATIC_VISIT,
            "burgos",
            date(2020, 2, 26),
            time(9, 30),
            time(17, 30),
            "Europe/Madrid",
            place="Burgos, CEEI-Burgos",
            agenda=[
                DemoItem("Visit to CAST", 120, "Lucía García", "Site visits"),
                DemoItem("Visit to SODEBUR's business support centre", 120, "Elena Fernández"),
                DemoItem(
                    "Portfolio analysis",
                    90,
                    "Sabine Weber",
                    "Conclusions",
                    [
                        DemoOutcome(
                            action,
                            "Write the portfolio analysis of the Burgos visit.",
                            "editor@aebr.example",
                            date(2020, 4, 30),
                            done=True,
                        )
                    ],
                ),
            ],
            guests=[("María Sanz", "Burgos Chamber of Commerce")],
            approved_by=["CEEI-Burgos", "SODEBUR", "Pannon EGTC", "AEBR"],
        ),
        DemoMeeting(
            "Online partner meeting: good practices",
            MeetingKind.PARTNER,
            "burgos",
            date(2020, 4, 15),
            time(10, 0),
            time(12, 30),
            "Europe/Madrid",
            online_url="https://meet.example.org/interventures-2020-04-15",
            agenda=[
                DemoItem("Welcome by the host", 10, "Lucía García", "Opening"),
                *[DemoItem(title, 20, owner, "Good practices") for title, owner in GOOD_PRACTICES],
                DemoItem(
                    "Next steps after the COVID-19 restrictions",
                    30,
                    "Zsófia Nagy",
                    "Planning",
                    [
                        DemoOutcome(
                            decision,
                            "The 2nd interregional meeting is held online.",
                        ),
                        DemoOutcome(
                            info,
                            "Travel is suspended in all partner countries until further notice.",
                        ),
                        DemoOutcome(
                            action,
                            "Enter the five good practices in the portfolio.",
                            "editor@ceei.example",
                            date(2020, 5, 15),
                            done=True,
                        ),
                        DemoOutcome(
                            action,
                            "Collect evidence of success for Science and Business.",
                            "editor@rarr.example",
                            date(2020, 6, 30),
                        ),
                    ],
                ),
            ],
            approved_by=["CEEI-Burgos", "Pannon EGTC", "SODEBUR"],
            commented_by={"RARR": "Please add the contact person of Science and Business."},
            minutes=(
                "## Summary\n\nHosted online by CEEI-Burgos. Five good practices were "
                "presented:\n\n"
                + "".join(f"- {title}\n" for title, _ in GOOD_PRACTICES)
                + "\n## Next steps\n\nThe practices go into the portfolio.\n"
            ),
        ),
        DemoMeeting(
            "2nd interregional meeting (online)",
            MeetingKind.INTERREGIONAL,
            None,
            date(2020, 10, 7),
            time(9, 30),
            time(13, 0),
            "Europe/Budapest",
            online_url="https://meet.example.org/interventures-2nd-interregional",
            agenda=[
                DemoItem("Progress of the regional situation reports", 60, "Sabine Weber"),
                DemoItem(
                    "Webinars per region",
                    60,
                    "Jonas Becker",
                    outcomes=[
                        DemoOutcome(
                            action,
                            "Plan the regional webinar in Podkarpackie.",
                            "coordinator@rarr.example",
                            date(2020, 12, 15),
                        )
                    ],
                ),
                DemoItem("Thematic visit to Klaipėda: dates", 30, "Rūta Petrauskienė"),
            ],
            absent=["Klaipėda City"],
            approved_by=ALL_PARTNERS[:5],
        ),
        DemoMeeting(
            "3rd interregional meeting, Rzeszów",
            MeetingKind.INTERREGIONAL,
            "podkarpackie",
            date(2021, 3, 17),
            time(9, 0),
            time(16, 0),
            "Europe/Warsaw",
            place="Rzeszów, RARR",
            agenda=[
                DemoItem("Regional action plans: structure", 90, "Sabine Weber", "Action plans"),
                DemoItem(
                    "Policy recommendations for 2021-2027",
                    90,
                    "Katarzyna Nowak",
                    "Policy",
                    [
                        DemoOutcome(
                            action,
                            "Draft the policy recommendations for the next programming period.",
                            "coordinator@pannon.example",
                            today + timedelta(days=30),
                        ),
                        # Overdue since last week: the reminder is in Lucía's inbox.
                        DemoOutcome(
                            action,
                            "Send the list of Castilla y León's stakeholders for the "
                            "consultation on the recommendations.",
                            "coordinator@ceei.example",
                            today - timedelta(days=5),
                        ),
                    ],
                ),
            ],
            approved_by=["RARR", "Pannon EGTC"],
        ),
        DemoMeeting(
            "Thematic visit on good practices, Klaipėda",
            MeetingKind.THEMATIC_VISIT,
            "klaipeda",
            date(2021, 5, 19),
            time(9, 0),
            time(16, 30),
            "Europe/Vilnius",
            place="Klaipėda, Science and Technology Park",
            agenda=[
                DemoItem("Financial support for SMEs: the programme", 90, "Rūta Petrauskienė"),
                DemoItem("Visit to the Klaipėda free economic zone", 150, "Darius Stankevičius"),
                DemoItem("Portfolio analysis", 60, "Sabine Weber"),
            ],
        ),
        DemoMeeting(
            "4th interregional meeting, Milan",
            MeetingKind.INTERREGIONAL,
            "lombardy",
            date(2021, 6, 16),
            time(9, 30),
            time(17, 0),
            "Europe/Rome",
            place="Milan, Unioncamere Lombardia",
            agenda=[
                DemoItem("Regional action plans: peer review", 120, "Giulia Rossi"),
                DemoItem("Phase 2: monitoring and evidence", 90, "Zsófia Nagy"),
                DemoItem("Closing of Phase 1", 30, "Anna Kovács"),
            ],
        ),
    ]


def _group_meetings() -> list[DemoMeeting]:
    """Each region's stakeholder group meetings and its webinar."""
    g = demo_groups
    found = []
    for slug, meetings in g.GROUP_MEETINGS.items():
        coordinator, colleague = g.STAFF[slug]
        membership = {person: left for person, _, _, _, _, left in g.GROUPS[slug]}
        for title, day, online, absent in meetings:
            found.append(
                DemoMeeting(
                    title,
                    MeetingKind.STAKEHOLDER_GROUP,
                    slug,
                    day,
                    time(10, 0),
                    time(13, 0),
                    g.ZONES[slug],
                    place="" if online else g.PLACES[slug],
                    online_url=f"https://meet.example.org/{slug}-group-{day:%Y%m}"
                    if online
                    else "",
                    agenda=[
                        DemoItem("Welcome and progress of InterVentures", 20, "", "Opening"),
                        DemoItem("Discussion with the stakeholders", 120, "", "Discussion"),
                        DemoItem("Next steps", 20, ""),
                    ],
                    partners=[],
                    people=[coordinator, colleague],
                    members=[
                        person for person, left in membership.items() if left is None or left >= day
                    ],
                    members_absent=absent,
                    approved_by=g.REGION_PARTNERS[slug],
                    creator=coordinator,
                )
            )
    for slug, (day, attendees, moderator, came) in g.WEBINARS.items():
        coordinator, colleague = g.STAFF[slug]
        found.append(
            DemoMeeting(
                g.webinar_title(slug),
                MeetingKind.WEBINAR,
                slug,
                day,
                time(10, 0),
                time(13, 0),
                g.ZONES[slug],
                online_url=f"https://meet.example.org/{slug}-webinar",
                agenda=[
                    DemoItem(
                        "Online lecture: support for SMEs going abroad",
                        45,
                        "Sabine Weber",
                        "Lecture",
                    ),
                    DemoItem("Questions and answers", 30, "Jonas Becker", "Lecture"),
                    DemoItem("Group work: the region's needs", 75, moderator, "Group work"),
                    DemoItem("Conclusions", 20, moderator),
                ],
                partners=[],
                people=[coordinator, colleague, "coordinator@aebr.example", "editor@aebr.example"],
                members=list(came),
                approved_by=[*g.REGION_PARTNERS[slug], "AEBR"],
                creator=coordinator,
                speakers=f"Sabine Weber (AEBR), Jonas Becker (AEBR); group work: {moderator}",
                attendee_count=attendees,
                recording_url=g.recording_url(slug),
            )
        )
    return found


def _register(regions: dict[str, Region]) -> dict[tuple[str, str], Stakeholder]:
    """Each region's stakeholder group register, as (region slug, person) -> member."""
    members = {(m.region.slug, m.person): m for m in db.session.scalars(select(Stakeholder)).all()}
    for slug, group in demo_groups.GROUPS.items():
        for person, organisation, kind, position, mail, left in group:
            if (slug, person) in members:
                continue
            member = Stakeholder(
                region=regions[slug],
                person=person,
                organisation=organisation,
                kind=kind,
                position=position,
                email=f"{mail}@example.org",
                joined_on=demo_groups.JOINED,
                left_on=left,
            )
            db.session.add(member)
            members[slug, person] = member
    db.session.flush()
    return members


def load() -> None:
    by_slug = {r.slug: r for r in db.session.scalars(select(Region))}
    partners = {p.short_name: p for p in db.session.scalars(select(Partner))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    author = users.get("admin@pannon.example")
    if author is None or not all(slug in by_slug for slug in DEMO_REGIONS):
        return
    for slug in DEMO_REGIONS:
        switch_on_once(by_slug[slug], "minutes")
    register = _register(by_slug)
    added = []
    # The groups' meetings and webinars come first: the seed's Milan meeting stays the
    # latest added, whose approval the inboxes await.
    for demo in _group_meetings() + _meetings(now().date()):
        if db.session.scalar(select(Meeting.id).where(Meeting.title == demo.title)):
            continue
        added.append(_add(demo, by_slug, partners, users, author, register))
    # The inboxes of a running consortium: the last meeting's minutes await the
    # partners' approval, and the owners of overdue action items are reminded (as the
    # worker's hourly job would; each item once, so loading again adds nothing).
    if added and not added[-1].approvals:
        notifications.approval_awaited(added[-1])
    notifications.send_reminders()


def _add(demo: DemoMeeting, regions, partners, users, author, register) -> Meeting:
    zone = ZoneInfo(demo.zone)
    region = regions[demo.region] if demo.region else None
    meeting = Meeting(
        region=region,
        title=demo.title,
        kind=demo.kind,
        starts_at=datetime.combine(demo.day, demo.start, tzinfo=zone).astimezone(UTC),
        ends_at=datetime.combine(demo.day, demo.end, tzinfo=zone).astimezone(UTC),
        timezone=demo.zone,
        place=demo.place,
        online_url=demo.online_url,
        status=MeetingStatus.CLOSED,
        created_by=users.get(demo.creator, author),
        speakers=demo.speakers,
        attendee_count=demo.attendee_count,
        recording_url=demo.recording_url,
    )
    db.session.add(meeting)
    for position, item in enumerate(demo.agenda, start=1):
        agenda_item = AgendaItem(
            section=item.section,
            title=item.title,
            duration_minutes=item.minutes,
            presenter=item.presenter,
            position=position,
            notes=item.notes,
        )
        meeting.agenda.append(agenda_item)
        for o in item.outcomes:
            owner = users.get(o.owner)
            meeting.outcomes.append(
                Outcome(
                    agenda_item=agenda_item,
                    kind=o.kind,
                    text=o.text,
                    owner=owner,
                    due_date=o.due,
                    done_at=(
                        datetime.combine(o.due, time(12), tzinfo=UTC) if o.done and o.due else None
                    ),
                    done_by=owner if o.done else None,
                )
            )
    for short_name in ALL_PARTNERS if demo.partners is None else demo.partners:
        meeting.participants.append(
            Participant(partner=partners[short_name], attended=short_name not in demo.absent)
        )
    for email in demo.people:
        if email in users:
            meeting.participants.append(Participant(user=users[email], attended=True))
    for person in demo.members:
        meeting.participants.append(
            Participant(
                stakeholder=register[demo.region, person],
                attended=person not in demo.members_absent,
            )
        )
    for name, organisation in demo.guests:
        meeting.participants.append(
            Participant(guest_name=name, guest_organisation=organisation, attended=True)
        )
    at = datetime.combine(demo.day + timedelta(days=10), time(10), tzinfo=UTC)
    staff = {
        u.partner.short_name: u for u in users.values() if u.partner and "coordinator@" in u.email
    }
    for short_name in demo.approved_by:
        meeting.approvals.append(
            Approval(
                partner=partners[short_name],
                state=ApprovalState.APPROVED,
                by=staff.get(short_name),
                at=at,
            )
        )
    for short_name, comment in demo.commented_by.items():
        meeting.approvals.append(
            Approval(
                partner=partners[short_name],
                state=ApprovalState.COMMENTED,
                comment=comment,
                by=staff.get(short_name),
                at=at,
            )
        )
    db.session.flush()
    document = create_document(
        f"Minutes: {demo.title}",
        demo.minutes or "## Summary\n\n",
        region,
        author,
        plugin="minutes",
    )
    meeting.minutes_document_id = document.id
    link_minutes(document, meeting)
    db.session.flush()
    return meeting
