"""The InterVentures demo: its partners, regions and one login per role.

Loading is idempotent: whatever already exists (matched by slug, short name or
e-mail) is left exactly as it is, so running the demo twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from .extensions import db
from .models import LegalStatus, Membership, MembershipRole, Partner, PartnerRole, Region, User
from .passwords import hash_password
from .plugins import host

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
        "Klaipėda City Municipal Administration",
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


@dataclass
class DemoResult:
    created_users: list[User] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (email, what it is)


def load(password: str) -> DemoResult:
    """Create whatever of the demo is missing; new users get ``password``."""
    result = DemoResult()
    regions = {slug: _region(slug, name, country, nuts2) for slug, name, country, nuts2 in REGIONS}
    partners = {p.key: _partner(p, regions) for p in PARTNERS}
    db.session.flush()

    def person(email: str, name: str, partner: Partner | None, what: str, **kw) -> User:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, name=name, partner=partner, password_hash=hash_password(password), **kw
            )
            db.session.add(user)
            result.created_users.append(user)
        result.logins.append((email, what))
        return user

    email, name, partner_key = ADMIN
    admin = person(email, name, partners[partner_key], "administrator", is_admin=True)
    _member(result, admin, regions["pannon"], MembershipRole.COORDINATOR)

    for demo in PARTNERS:
        partner = partners[demo.key]
        coordinator_name, editor_name = demo.people
        coordinator = person(
            f"coordinator@{demo.key}.example",
            coordinator_name,
            partner,
            f"coordinator, {partner.short_name}",
        )
        editor = person(
            f"editor@{demo.key}.example", editor_name, partner, f"editor, {partner.short_name}"
        )
        # The advisory partner prepares the action plans with every region.
        home = [regions[demo.region]] if demo.region else list(regions.values())
        for region in home:
            role = MembershipRole.COORDINATOR if demo.region else MembershipRole.EDITOR
            _member(result, coordinator, region, role)
            _member(result, editor, region, MembershipRole.EDITOR)

    for slug, stakeholder_name in STAKEHOLDERS.items():
        stakeholder = person(
            f"stakeholder@{slug}.example",
            stakeholder_name,
            None,
            f"external stakeholder, {regions[slug].name}",
        )
        _member(result, stakeholder, regions[slug], MembershipRole.STAKEHOLDER)

    db.session.flush()
    host().pm.hook.load_demo()
    db.session.commit()
    return result


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


def _member(result: DemoResult, user: User, region: Region, role: MembershipRole) -> None:
    """Give a user created by this run a membership; existing users keep theirs."""
    if user in result.created_users:
        db.session.add(Membership(user=user, region=region, role=role))
