"""The InterVentures demo: its partners, regions, one login per role, and a week of
work on a shared document that fills a few inboxes and the outbox.

Loading is idempotent: whatever already exists (matched by slug, short name,
e-mail or title) is left exactly as it is, so running the demo twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from . import clock, mentions, retention
from .activity import record
from .controllers import ControllerAssignment
from .extensions import db
from .follows import follow
from .markdown import to_html
from .models import (
    Comment,
    Document,
    Event,
    LegalStatus,
    Membership,
    MembershipRole,
    Partner,
    PartnerRole,
    Region,
    Revision,
    User,
    utcnow,
)
from .notification_models import Notification
from .passwords import hash_password
from .plugins import host
from .revisions import create, save
from .search import index_comment

# 36 months from 1 August 2019 (DOMAIN.md): records are kept 5 years after it.
PROJECT_END = date(2022, 7, 31)

# slug, name, country, NUTS 2 (2016)
REGIONS = [
    ("pannon", "Dél-Dunántúl", "HU", "HU23"),
    ("lombardy", "Lombardia", "IT", "ITC4"),
    ("podkarpackie", "Podkarpackie", "PL", "PL82"),
    ("burgos", "Castilla y León", "ES", "ES41"),
    ("klaipeda", "Vidurio ir vakarų Lietuvos regionas", "LT", "LT02"),
]

PUBLIC, PRIVATE = LegalStatus.PUBLIC, LegalStatus.PRIVATE_NONPROFIT
LEAD, PARTNER, ADVISORY = PartnerRole.LEAD, PartnerRole.PARTNER, PartnerRole.ADVISORY


@dataclass(frozen=True)
class DemoPartner:
    key: str  # the e-mail domain of its demo users
    name: str
    short_name: str
    country: str
    legal_status: LegalStatus
    role: PartnerRole
    region: str | None
    people: tuple[str, str]  # coordinator, editor


PARTNERS = [
    DemoPartner(
        "pannon",
        "European Grouping of Territorial Cooperation Pannon",
        "Pannon EGTC",
        "HU",
        PUBLIC,
        LEAD,
        "pannon",
        ("Zsófia Nagy", "Péter Szabó"),
    ),
    DemoPartner(
        "unioncamere",
        "Unioncamere Lombardia",
        "Unioncamere Lombardia",
        "IT",
        PUBLIC,
        PARTNER,
        "lombardy",
        ("Giulia Rossi", "Marco Bianchi"),
    ),
    DemoPartner(
        "rarr",
        "Rzeszów Regional Development Agency",
        "RARR",
        "PL",
        PUBLIC,
        PARTNER,
        "podkarpackie",
        ("Katarzyna Nowak", "Tomasz Wiśniewski"),
    ),
    DemoPartner(
        "ceei",
        "European Business and Innovation Centre of Burgos",
        "CEEI-Burgos",
        "ES",
        PRIVATE,
        PARTNER,
        "burgos",
        ("Lucía García", "Javier Martín"),
    ),
    DemoPartner(
        "sodebur",
        "Society for the Development of the Province of Burgos",
        "SODEBUR",
        "ES",
        PUBLIC,
        PARTNER,
        "burgos",
        ("Elena Fernández", "Pablo Ruiz"),
    ),
    DemoPartner(
        "klaipedaid",
        "Klaipėda ID",
        "Klaipėda ID",
        "LT",
        PUBLIC,
        PARTNER,
        "klaipeda",
        ("Rūta Petrauskienė", "Mantas Kazlauskas"),
    ),
    DemoPartner(
        "klaipedacity",
        "Klaipėda Municipal Administration",
        "Klaipėda City",
        "LT",
        PUBLIC,
        PARTNER,
        "klaipeda",
        ("Ieva Jankauskaitė", "Darius Stankevičius"),
    ),
    DemoPartner(
        "aebr",
        "Association of European Border Regions",
        "AEBR",
        "DE",
        PRIVATE,
        ADVISORY,
        None,
        ("Sabine Weber", "Jonas Becker"),
    ),
]

ADMIN = ("admin@pannon.example", "Anna Kovács", "pannon")

STAKEHOLDERS = {
    "pannon": "Gábor Tóth",
    "lombardy": "Chiara Colombo",
    "podkarpackie": "Piotr Zieliński",
    "burgos": "Carmen López",
    "klaipeda": "Tomas Vaitkus",
}


# First-level controllers, designated per country (DOMAIN.md): e-mail, name, the keys
# of the partners each controls.
CONTROLLERS = [
    ("controller@hu-control.example", "Katalin Fehér", ("pannon",)),
    ("controller@it-control.example", "Francesca Greco", ("unioncamere",)),
    ("controller@pl-control.example", "Ewa Kowalczyk", ("rarr",)),
    ("controller@es-control.example", "Alberto Sanz", ("ceei", "sodebur")),
    ("controller@lt-control.example", "Aistė Jonaitienė", ("klaipedaid", "klaipedacity")),
    ("controller@de-control.example", "Markus Hoffmann", ("aebr",)),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    partner: str | None  # DemoPartner.key
    what: str  # how the login is described to the person running the demo
    memberships: tuple[tuple[str, MembershipRole], ...]
    is_admin: bool = False
    controls: tuple[str, ...] = ()  # DemoPartner.key of each partner it controls


def demo_accounts() -> list[DemoAccount]:
    """One login per role: the admin, a coordinator and an editor per partner, an
    external stakeholder per region, and the partners' controllers."""
    region_names = {slug: name for slug, name, _, _ in REGIONS}
    every_region = [slug for slug, *_ in REGIONS]
    email, name, partner_key = ADMIN
    accounts = [
        DemoAccount(
            email,
            name,
            partner_key,
            "administrator",
            (("pannon", MembershipRole.COORDINATOR),),
            is_admin=True,
        )
    ]
    for p in PARTNERS:
        # The advisory partner prepares the action plans with every region.
        if p.region:
            lead_role, regions = MembershipRole.COORDINATOR, [p.region]
        else:
            lead_role, regions = MembershipRole.EDITOR, every_region
        coordinator, editor = p.people
        accounts.append(
            DemoAccount(
                f"coordinator@{p.key}.example",
                coordinator,
                p.key,
                f"coordinator, {p.short_name}",
                tuple((slug, lead_role) for slug in regions),
            )
        )
        accounts.append(
            DemoAccount(
                f"editor@{p.key}.example",
                editor,
                p.key,
                f"editor, {p.short_name}",
                tuple((slug, MembershipRole.EDITOR) for slug in regions),
            )
        )
    for slug, stakeholder in STAKEHOLDERS.items():
        accounts.append(
            DemoAccount(
                f"stakeholder@{slug}.example",
                stakeholder,
                None,
                f"external stakeholder, {region_names[slug]}",
                ((slug, MembershipRole.STAKEHOLDER),),
            )
        )
    short_names = {p.key: p.short_name for p in PARTNERS}
    for email, name, controls in CONTROLLERS:
        names = " and ".join(short_names[key] for key in controls)
        accounts.append(
            DemoAccount(email, name, None, f"controller of {names}", (), controls=controls)
        )
    return accounts


def demo_logins() -> list[tuple[str, str]]:
    return [(account.email, account.what) for account in demo_accounts()]


def load(password: str) -> list[User]:
    """Create whatever of the demo is missing and return the new users.

    New users get ``password``; existing ones, and their memberships, stay as they are.
    """
    regions = {slug: _region(slug, name, country, nuts2) for slug, name, country, nuts2 in REGIONS}
    partners = {p.key: _partner(p, regions) for p in PARTNERS}
    password_hash = hash_password(password)
    created = []
    for account in demo_accounts():
        if db.session.scalar(select(User).where(User.email == account.email)) is not None:
            continue
        user = User(
            email=account.email,
            name=account.name,
            partner=partners[account.partner] if account.partner else None,
            password_hash=password_hash,
            is_admin=account.is_admin,
        )
        db.session.add(user)
        for slug, role in account.memberships:
            db.session.add(Membership(user=user, region=regions[slug], role=role))
        for key in account.controls:
            db.session.add(ControllerAssignment(user=user, partner=partners[key]))
        created.append(user)
    if retention.current().project_end is None:
        retention.set_project_end(PROJECT_END)
    db.session.flush()
    # In the host's order: a plugin's demo runs after those of ``PluginInfo.after``,
    # inside a request context, so that ``url_for`` and the link hooks answer there;
    # on ``BASE_URL``, so the links of the demo's mails lead to the workspace.
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        _week_of_notifications()
        host().call_each("load_demo")
    db.session.commit()
    return created


def _region(slug: str, name: str, country: str, nuts2: str) -> Region:
    region = db.session.scalar(select(Region).where(Region.slug == slug))
    if region is not None:
        return region
    region = Region(slug=slug, name=name, country=country, nuts2=nuts2)
    db.session.add(region)
    db.session.flush()
    # A new demo region starts with every installed plugin switched on.
    for plugin in host().names:
        host().set_enabled(region, plugin, True, None)
    return region


def _partner(demo: DemoPartner, regions: dict[str, Region]) -> Partner:
    partner = db.session.scalar(select(Partner).where(Partner.short_name == demo.short_name))
    if partner is None:
        partner = Partner(
            name=demo.name,
            short_name=demo.short_name,
            country=demo.country,
            legal_status=demo.legal_status,
            role=demo.role,
            region=regions[demo.region] if demo.region else None,
        )
        db.session.add(partner)
    return partner


# ---------------------------------------------------------------- a week of notifications

WEEK_DOCUMENT = "Burgos action plan: stakeholder consultation"
WEEK_REGION = "burgos"
WEEK_PLAN = """# Stakeholder consultation for the Burgos action plan

The consultation runs in two rounds: a workshop in Burgos for the regional agencies,
then an online round for the rural municipalities.

- Round 1: workshop at CEEI-Burgos, 40 invitations
- Round 2: online questionnaire, open for three weeks
"""
# Revision 2 puts the request on top, where the inbox's snippet shows it.
APPROVAL = (
    "@Anna Kovács, please approve the consultation plan by Friday, so that the "
    "invitations can go out on Monday.\n\n"
)
# (day of the week, hour, minute, author's e-mail, the comment), oldest first.
WEEK_COMMENTS = [
    (
        2,
        14,
        20,
        "editor@ceei.example",
        "I added the 14 stakeholders of the province to the invitation list. "
        "@Elena Fernández, can SODEBUR add the rural municipalities?",
    ),
    (
        3,
        11,
        5,
        "coordinator@aebr.example",
        "@Lucía García the progress report of semester 4 for Burgos was due on Monday "
        "and is now overdue: please send it to the lead partner this week.",
    ),
    (
        4,
        16,
        45,
        "coordinator@sodebur.example",
        "The rural municipalities are on the list. @Anna Kovács, the plan is ready "
        "for your approval.",
    ),
]


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Run one step of the demo's week as if at ``moment``.

    ``clock.now()`` dates the notifications, their mails and follows; the rows the
    core dates with the system clock (revisions, events) are moved back afterwards,
    so the inbox, the outbox and the document's history tell the same week. Each step
    is committed, as its request would be: a save starts a transaction of its own."""
    config = current_app.config
    fixed, started = config.get("NOW"), utcnow()
    config["NOW"] = moment
    try:
        yield
    finally:
        config["NOW"] = fixed
    for model in (Revision, Event):
        db.session.execute(
            update(model).where(model.created_at >= started).values(created_at=moment),
            execution_options={"synchronize_session": False},
        )
    db.session.commit()


def _week_of_notifications() -> None:
    """The last week on one Burgos document, in the core's own kinds: Lucía García
    writes the consultation plan and asks the admin, Anna Kovács, to approve it (a
    mention, e-mailed at once); comments follow over the week, with an overdue report
    and more mentions, so the admin's and the coordinators' inboxes, and the outbox,
    hold a realistic week. Added once: nothing happens if the document exists."""
    if db.session.scalar(select(Document.id).where(Document.title == WEEK_DOCUMENT)):
        return
    people = {
        u.email: u
        for u in db.session.scalars(
            select(User).where(
                User.email.in_(
                    [ADMIN[0], "coordinator@ceei.example"] + [c[3] for c in WEEK_COMMENTS]
                )
            )
        )
    }
    region = db.session.scalar(select(Region).where(Region.slug == WEEK_REGION))
    if region is None or len(people) != 5:  # someone renamed or removed: no week
        return
    admin, lucia = people[ADMIN[0]], people["coordinator@ceei.example"]
    monday = (clock.now() - timedelta(days=6)).replace(hour=0, minute=0, second=0, microsecond=0)
    with _at(monday + timedelta(hours=9, minutes=10)):
        document = create(WEEK_DOCUMENT, WEEK_PLAN, region, lucia)
        # The admin follows the plan she is to approve: its comments reach her digest.
        follow(admin, document.ref)
    with _at(monday + timedelta(days=1, hours=10, minutes=5)):
        save(document.id, 1, WEEK_DOCUMENT, APPROVAL + WEEK_PLAN, lucia)
    for day, hour, minute, email, body in WEEK_COMMENTS:
        moment = monday + timedelta(days=day, hours=hour, minutes=minute)
        with _at(moment):
            _comment(document, people[email], body, moment)
    db.session.execute(
        update(Document)
        .where(Document.id == document.id)
        .values(
            created_at=monday + timedelta(hours=9, minutes=10),
            updated_at=monday + timedelta(days=1, hours=10, minutes=5),
        )
    )
    # The admin has read the first comment in her inbox; the rest wait for her.
    first = db.session.scalar(
        select(Notification)
        .where(Notification.user_id == admin.id, Notification.kind == "comment")
        .order_by(Notification.created_at)
        .limit(1)
    )
    if first is not None:
        first.read_at = first.created_at + timedelta(hours=1)


def _comment(document: Document, author: User, body: str, moment: datetime) -> None:
    """A comment as the document page adds one: indexed, recorded, and telling the
    people it mentions and those following the document."""
    comment = Comment(
        document_id=document.id,
        author_id=author.id,
        body=body,
        html=to_html(body),
        created_at=moment,
    )
    db.session.add(comment)
    db.session.flush()
    index_comment(document, comment)
    record(
        "comment_added",
        region=document.region,
        target=document.ref,
        actor=author,
        comment=comment.id,
    )
    mentions.comment_added(document, comment, author)
