"""The demo's stakeholder groups and webinars, as the InterVentures seed runs them: each
region's standing group of regional stakeholders (the managing authority of its ERDF
programme, a chamber, an SME association, a university, an agency), meeting two or
three times across the phases, and one webinar per region (AEBR's online lecture with
questions and answers, then group work moderated on site).

Every name is invented; the organisations are of the kinds such a group brings
together. The register's e-mails are on example.org. ``demo`` adds what is missing
(a member by region and name, a meeting by title), so loading twice adds nothing.
"""

from __future__ import annotations

from datetime import date

from .models import StakeholderKind

MA, AUTH, SUPPORT, SME, CHAMBER, UNI = (
    StakeholderKind.MANAGING_AUTHORITY,
    StakeholderKind.PUBLIC_AUTHORITY,
    StakeholderKind.BUSINESS_SUPPORT,
    StakeholderKind.SME,
    StakeholderKind.CHAMBER,
    StakeholderKind.UNIVERSITY,
)
JOINED = date(2019, 10, 1)

# region slug -> (person, organisation, kind, position, e-mail name, left on)
GROUPS: dict[str, list[tuple[str, str, StakeholderKind, str, str, date | None]]] = {
    "pannon": [
        (
            "Erzsébet Horváth",
            "Managing Authority for Economic Development and Innovation OP (GINOP)",
            MA,
            "Programme officer",
            "e.horvath",
            None,
        ),
        (
            "László Farkas",
            "Baranya County Government Office",
            AUTH,
            "Head of department",
            "l.farkas",
            None,
        ),
        (
            "Krisztina Molnár",
            "Pécs-Baranya Chamber of Commerce and Industry",
            CHAMBER,
            "Export advisor",
            "k.molnar",
            None,
        ),
        (
            "Bence Varga",
            "University of Pécs, Faculty of Business and Economics",
            UNI,
            "Associate professor",
            "b.varga",
            None,
        ),
        ("Judit Kiss", "Mecsek Precision Kft.", SME, "Managing director", "j.kiss", None),
        (
            "Attila Balogh",
            "Baranya Enterprise Development Foundation",
            SUPPORT,
            "Director",
            "a.balogh",
            date(2021, 3, 31),
        ),
    ],
    "lombardy": [
        (
            "Paolo Ferrari",
            "Regione Lombardia, Managing Authority of the ROP ERDF",
            MA,
            "ERDF coordinator",
            "p.ferrari",
            None,
        ),
        (
            "Elena Marchetti",
            "Chamber of Commerce of Milan Monza Brianza Lodi",
            CHAMBER,
            "Internationalisation desk",
            "e.marchetti",
            None,
        ),
        (
            "Luca Galli",
            "Association of Lombard Craft Enterprises",
            SUPPORT,
            "Policy officer",
            "l.galli",
            None,
        ),
        (
            "Sara Conti",
            "Politecnico di Milano, Department of Management",
            UNI,
            "Researcher",
            "s.conti",
            None,
        ),
        ("Davide Moretti", "Brianza Meccanica S.r.l.", SME, "Export manager", "d.moretti", None),
        (
            "Francesca Villa",
            "Municipality of Como, Economic Development",
            AUTH,
            "Officer",
            "f.villa",
            None,
        ),
        (
            "Andrea Fontana",
            "Lombard Agency for Export Promotion",
            SUPPORT,
            "Senior advisor",
            "a.fontana",
            None,
        ),
    ],
    "podkarpackie": [
        (
            "Agnieszka Kamińska",
            "Marshal's Office of Podkarpackie, Managing Authority of the ROP",
            MA,
            "Head of unit",
            "a.kaminska",
            None,
        ),
        (
            "Marek Lewandowski",
            "Podkarpackie Chamber of Commerce",
            CHAMBER,
            "Vice-president",
            "m.lewandowski",
            None,
        ),
        (
            "Joanna Wójcik",
            "Rzeszów University of Technology",
            UNI,
            "Technology transfer officer",
            "j.wojcik",
            None,
        ),
        ("Paweł Dąbrowski", "Wisłok Components sp. z o.o.", SME, "Owner", "p.dabrowski", None),
        (
            "Magdalena Krawczyk",
            "Rzeszów City Office, Investor Service",
            AUTH,
            "Investor advisor",
            "m.krawczyk",
            None,
        ),
        (
            "Krzysztof Mazur",
            "Podkarpackie Aviation Cluster",
            SUPPORT,
            "Cluster manager",
            "k.mazur",
            None,
        ),
    ],
    "burgos": [
        (
            "Rosa Herrero",
            "Junta de Castilla y León, Managing Authority of the ERDF OP",
            MA,
            "Head of service",
            "r.herrero",
            None,
        ),
        (
            "Álvaro Pérez",
            "Regional Business Competitiveness Institute",
            SUPPORT,
            "Internationalisation officer",
            "a.perez",
            None,
        ),
        (
            "Beatriz Gómez",
            "Burgos Chamber of Commerce",
            CHAMBER,
            "Foreign trade department",
            "b.gomez",
            None,
        ),
        ("Diego Alonso", "University of Burgos", UNI, "Lecturer", "d.alonso", None),
        (
            "Nuria Castro",
            "Burgos Business Confederation",
            SUPPORT,
            "Projects manager",
            "n.castro",
            None,
        ),
        ("Sergio Ortega", "Ribera Agroexport S.L.", SME, "Managing director", "s.ortega", None),
        (
            "Irene Vidal",
            "Provincial Council of Burgos",
            AUTH,
            "Rural development officer",
            "i.vidal",
            None,
        ),
        (
            "Hugo Serrano",
            "Arlanza Cheese Cooperative",
            SME,
            "Sales manager",
            "h.serrano",
            date(2020, 12, 31),
        ),
    ],
    "klaipeda": [
        (
            "Laura Kazlauskienė",
            "Ministry of Finance, Managing Authority of the EU Funds Investment OP",
            MA,
            "Chief specialist",
            "l.kazlauskiene",
            None,
        ),
        (
            "Vytautas Jonaitis",
            "Klaipėda Chamber of Commerce, Industry and Crafts",
            CHAMBER,
            "Director",
            "v.jonaitis",
            None,
        ),
        (
            "Eglė Paulauskaitė",
            "Klaipėda University, Faculty of Marine Technology",
            UNI,
            "Lecturer",
            "e.paulauskaite",
            None,
        ),
        ("Mindaugas Butkus", "Baltijos Jūrų Technika UAB", SME, "CEO", "m.butkus", None),
        (
            "Greta Urbonaitė",
            "Klaipėda Free Economic Zone",
            SUPPORT,
            "Business development manager",
            "g.urbonaite",
            None,
        ),
        (
            "Rokas Žukauskas",
            "Association of Klaipėda Industrialists",
            SUPPORT,
            "Executive director",
            "r.zukauskas",
            None,
        ),
    ],
}

# The partners' staff who run each region's group (coordinator, editor).
STAFF = {
    "pannon": ("coordinator@pannon.example", "editor@pannon.example"),
    "lombardy": ("coordinator@unioncamere.example", "editor@unioncamere.example"),
    "podkarpackie": ("coordinator@rarr.example", "editor@rarr.example"),
    "burgos": ("coordinator@ceei.example", "coordinator@sodebur.example"),
    "klaipeda": ("coordinator@klaipedaid.example", "coordinator@klaipedacity.example"),
}
REGION_PARTNERS = {
    "pannon": ["Pannon EGTC"],
    "lombardy": ["Unioncamere Lombardia"],
    "podkarpackie": ["RARR"],
    "burgos": ["CEEI-Burgos", "SODEBUR"],
    "klaipeda": ["Klaipėda ID", "Klaipėda City"],
}
ZONES = {
    "pannon": "Europe/Budapest",
    "lombardy": "Europe/Rome",
    "podkarpackie": "Europe/Warsaw",
    "burgos": "Europe/Madrid",
    "klaipeda": "Europe/Vilnius",
}
PLACES = {
    "pannon": "Pécs, Pannon EGTC",
    "lombardy": "Milan, Unioncamere Lombardia",
    "podkarpackie": "Rzeszów, RARR",
    "burgos": "Burgos, CEEI-Burgos",
    "klaipeda": "Klaipėda, Klaipėda ID",
}
CITY = {
    "pannon": "Pécs-Baranya",
    "lombardy": "Lombardia",
    "podkarpackie": "Podkarpackie",
    "burgos": "Castilla y León",
    "klaipeda": "Klaipėda",
}

# The group's meetings: (title, day, online, who of the register stayed away).
GROUP_MEETINGS: dict[str, list[tuple[str, date, bool, tuple[str, ...]]]] = {
    "pannon": [
        ("Stakeholder group Pécs-Baranya: kick-off", date(2019, 12, 4), False, ("Judit Kiss",)),
        ("Stakeholder group Pécs-Baranya: regional situation report", date(2020, 10, 21), True, ()),
        (
            "Stakeholder group Pécs-Baranya: action plan consultation",
            date(2021, 6, 2),
            False,
            ("Bence Varga",),
        ),
    ],
    "lombardy": [
        ("Stakeholder group Lombardia: kick-off", date(2019, 12, 10), False, ()),
        (
            "Stakeholder group Lombardia: action plan consultation",
            date(2021, 5, 26),
            True,
            ("Sara Conti", "Andrea Fontana"),
        ),
    ],
    "podkarpackie": [
        (
            "Stakeholder group Podkarpackie: kick-off",
            date(2019, 12, 12),
            False,
            ("Paweł Dąbrowski",),
        ),
        ("Stakeholder group Podkarpackie: regional needs", date(2020, 11, 18), True, ()),
        (
            "Stakeholder group Podkarpackie: monitoring in Phase 2",
            date(2022, 3, 9),
            False,
            ("Joanna Wójcik",),
        ),
    ],
    "burgos": [
        (
            "Stakeholder group Castilla y León: kick-off",
            date(2019, 11, 27),
            False,
            ("Diego Alonso",),
        ),
        (
            "Stakeholder group Castilla y León: lessons of the thematic visit",
            date(2020, 3, 4),
            False,
            (),
        ),
        (
            "Stakeholder group Castilla y León: action plan consultation",
            date(2021, 4, 21),
            True,
            ("Irene Vidal",),
        ),
    ],
    "klaipeda": [
        ("Stakeholder group Klaipėda: kick-off", date(2020, 1, 15), False, ()),
        (
            "Stakeholder group Klaipėda: action plan consultation",
            date(2021, 6, 9),
            True,
            ("Mindaugas Butkus",),
        ),
    ],
}

# One webinar per region: (day, attendees, the regional moderator, who of the register came).
WEBINARS: dict[str, tuple[date, int, str, tuple[str, ...]]] = {
    "pannon": (
        date(2020, 6, 10),
        38,
        "Zsófia Nagy (Pannon EGTC)",
        ("Erzsébet Horváth", "Krisztina Molnár", "Judit Kiss"),
    ),
    "lombardy": (
        date(2020, 6, 24),
        44,
        "Giulia Rossi (Unioncamere Lombardia)",
        ("Paolo Ferrari", "Elena Marchetti", "Davide Moretti"),
    ),
    "podkarpackie": (
        date(2020, 9, 16),
        31,
        "Katarzyna Nowak (RARR)",
        ("Agnieszka Kamińska", "Krzysztof Mazur", "Paweł Dąbrowski"),
    ),
    "burgos": (
        date(2020, 5, 27),
        52,
        "Lucía García (CEEI-Burgos)",
        ("Rosa Herrero", "Beatriz Gómez", "Sergio Ortega", "Nuria Castro"),
    ),
    "klaipeda": (
        date(2020, 9, 30),
        27,
        "Rūta Petrauskienė (Klaipėda ID)",
        ("Vytautas Jonaitis", "Greta Urbonaitė"),
    ),
}


def webinar_title(slug: str) -> str:
    return f"AEBR webinar {CITY[slug]}: SME internationalisation in border regions"


def recording_url(slug: str) -> str:
    return f"https://example.org/interventures/webinars/{slug}-2020"
