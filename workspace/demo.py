"""The InterVentures demo: its partners, regions and one login per role.

Loading is idempotent: whatever already exists (matched by slug, short name or
e-mail) is left exactly as it is, so running the demo twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from . import retention
from .extensions import db
from .models import LegalStatus, Membership, MembershipRole, Partner, PartnerRole, Region, User
from .passwords import hash_password
from .plugins import host

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


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    partner: str | None  # DemoPartner.key
    what: str  # how the login is described to the person running the demo
    memberships: tuple[tuple[str, MembershipRole], ...]
    is_admin: bool = False


def demo_accounts() -> list[DemoAccount]:
    """One login per role: the admin, a coordinator and an editor per partner, and an
    external stakeholder per region."""
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
        created.append(user)
    if retention.current().project_end is None:
        retention.set_project_end(PROJECT_END)
    db.session.flush()
    # In the host's order: a plugin's demo runs after those of ``PluginInfo.after``,
    # inside a request context, so that ``url_for`` and the link hooks answer there.
    with current_app.test_request_context("/"):
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
