"""Rules of a policy paper: its template, its sections, who may do what, and the steps
Draft -> In review -> Reviewed by the advisory partner -> Endorsed (and back to Draft).

Every step is a compare-and-swap on the paper's version: of two people acting on the
same page at once, the second is told. Who may take a step is decided here too, through
``can`` and the partner's role; the views only ask. The caller commits.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from workspace.api import (
    Action,
    PartnerRole,
    Region,
    User,
    can,
    create_document,
    db,
    now,
    record,
)

from .models import Kind, Paper, PaperStep, State

# The templates: each section a Markdown heading, with a one-line hint under it.
TEMPLATES: dict[Kind, list[tuple[str, str]]] = {
    Kind.SITUATION: [
        (
            "Regional context",
            "The region's economy, its border position and the SMEs that trade or could "
            "trade across borders.",
        ),
        (
            "The SME internationalisation ecosystem",
            "Who supports SMEs going abroad (agencies, chambers, clusters, universities) "
            "and how they work together.",
        ),
        (
            "Policy instruments and support available",
            "The ERDF programme and other instruments that fund internationalisation, "
            "and what they offer SMEs today.",
        ),
        (
            "Needs and gaps",
            "What SMEs and their support organisations miss, as the stakeholder group sees it.",
        ),
        ("Conclusions", "What the region should work on, in a few points."),
    ],
    Kind.RECOMMENDATIONS: [
        (
            "Summary of the analysis",
            "The main findings of the situation report, in a few sentences.",
        ),
        (
            "Recommendations for regional policy",
            "What the policy instrument should change, each recommendation with its reason.",
        ),
        (
            "How they feed the action plan",
            "Which actions of the regional action plan take up each recommendation.",
        ),
        (
            "Recommendations for the next programming period",
            "What the region asks of the next EU programming period.",
        ),
    ],
    Kind.NEXT_PERIOD: [
        (
            "Summary",
            "What the five regions learnt together, and why it matters after 2020.",
        ),
        (
            "Recommendations for the next programming period",
            "The project's recommendations, drawn from the regions' own.",
        ),
        (
            "How the regions will follow them up",
            "Who takes each recommendation forward, and where.",
        ),
    ],
}

# The section of a region's recommendations that the project's paper gathers.
NEXT_PERIOD_SECTION = "Recommendations for the next programming period"

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)


def template(kind: Kind) -> str:
    """The text a new paper starts from: each section's heading and hint."""
    return "\n".join(f"## {name}\n\n*{hint}*\n" for name, hint in TEMPLATES[kind])


def section(body: str, name: str) -> str:
    """The Markdown under the "## name" heading of ``body``, up to the next heading of
    that level; empty when there is no such heading. A hint left unchanged counts as
    nothing written."""
    matches = list(_HEADING.finditer(body))
    for index, match in enumerate(matches):
        if match.group(1).strip().casefold() == name.casefold():
            end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
            text = body[match.end() : end].strip()
            hints = {f"*{hint}*" for kind in TEMPLATES.values() for _, hint in kind}
            return "" if text in hints else text
    return ""


def default_title(kind: Kind, region: Region | None) -> str:
    return f"{kind.label}: {region.name}" if region is not None else kind.label


# ---------------------------------------------------------------- who may do what


def is_advisory(user: User) -> bool:
    """Staff of the advisory partner (AEBR): they review every paper."""
    partner = getattr(user, "partner", None)
    return partner is not None and partner.role is PartnerRole.ADVISORY


def may_read(user: User, paper: Paper) -> bool:
    return can(user, Action.READ, paper.region)


def may_write(user: User, paper: Paper) -> bool:
    """The region's editors and coordinators (for the project's paper, those who write
    project-wide texts), and admins: as the portfolio decides."""
    return can(user, Action.EDIT, paper.region)


def may_review(user: User) -> bool:
    """The advisory partner's staff, and the lead partner's coordinators (admins)."""
    return can(user, Action.ADMIN) or (can(user, Action.READ, None) and is_advisory(user))


def may_endorse(user: User, paper: Paper) -> bool:
    """Who records the stakeholder group's endorsement: the region's coordinators and
    admins (the project's paper: admins)."""
    return can(user, Action.MANAGE, paper.region)


def allowed_steps(user: User, paper: Paper) -> dict[str, bool]:
    state = paper.status
    return {
        "send": state is State.DRAFT and may_write(user, paper),
        "review": state is State.REVIEW and may_review(user),
        "endorse": state is State.REVIEWED and may_endorse(user, paper),
        "return": may_return(user, paper),
    }


def may_take(user: User, paper: Paper, step: str) -> bool:
    """Whether ``user`` is one who takes ``step`` on ``paper``, whatever its state now
    (a step out of turn is refused as such, not as a permission)."""
    if step == "send":
        return may_write(user, paper)
    if step == "review":
        return may_review(user)
    if step == "endorse":
        return may_endorse(user, paper)
    if paper.status is State.DRAFT:
        return may_review(user) or may_endorse(user, paper)
    return may_return(user, paper)


def may_return(user: User, paper: Paper) -> bool:
    """In review: the reviewer sends it back. Reviewed or endorsed: the reviewer or the
    region's coordinators re-open it."""
    if paper.status is State.DRAFT:
        return False
    if paper.status is State.REVIEW:
        return may_review(user)
    return may_review(user) or may_endorse(user, paper)


# ---------------------------------------------------------------- changes


class Refused(Exception):
    """A step that cannot be taken; ``status`` 409 for a paper changed meanwhile or in
    another state, 422 for what the person must add."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


STALE = "Someone else changed this paper a moment ago: here it is as it stands now."


def existing(region: Region | None, kind: Kind) -> Paper | None:
    where = Paper.region_id == region.id if region is not None else Paper.region_id.is_(None)
    return db.session.scalar(select(Paper).where(where, Paper.kind == kind.value))


def new_paper(
    region: Region | None, kind: Kind, title: str, author: User, body: str | None = None
) -> Paper:
    """A draft paper with its text, from the kind's template (unless ``body`` is given)."""
    if existing(region, kind) is not None:
        where = region.name if region is not None else "the project"
        raise Refused(
            f"{where} has its {kind.label.lower()} already: open it from the list and write there.",
            409,
        )
    document = create_document(
        title, template(kind) if body is None else body, region, author, plugin="policy"
    )
    paper = Paper(region=region, kind=kind.value, title=title, document=document)
    paper.created_by_id, paper.created_at = author.id, now()
    db.session.add(paper)
    db.session.flush()
    record(
        "policy_paper_created",
        region=region,
        target=paper.ref,
        actor=author,
        title=title,
        phrase=f"began a {kind.label.lower()}:",
    )
    return paper


PHRASES = {
    State.REVIEW: "sent a policy paper to the advisory partner for review:",
    State.REVIEWED: "reviewed a policy paper:",
    State.ENDORSED: "recorded the endorsement of a policy paper:",
    State.DRAFT: "returned a policy paper to draft:",
}


def _move(paper: Paper, version: int, allowed: tuple[State, ...], to: State) -> None:
    if paper.status not in allowed:
        raise Refused(
            f"This paper is {paper.status.label.lower()}: it cannot be {to.short.lower()} now.",
            409,
        )
    moved = db.session.execute(
        update(Paper)
        .where(Paper.id == paper.id, Paper.version == version)
        .values(state=to.value, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise Refused(STALE, 409)
    db.session.refresh(paper)


def _step(paper: Paper, user: User, note: str = "", **endorsement) -> PaperStep:
    step = PaperStep(
        paper=paper, state=paper.state, at=now(), by_id=user.id, note=note, **endorsement
    )
    db.session.add(step)
    record(
        f"policy_paper_{paper.state}",
        region=paper.region,
        target=paper.ref,
        actor=user,
        title=paper.title,
        phrase=PHRASES[paper.status],
    )
    return step


def send(paper: Paper, version: int, user: User) -> None:
    _move(paper, version, (State.DRAFT,), State.REVIEW)
    _step(paper, user)


def review(paper: Paper, version: int, user: User, remarks: str) -> None:
    _move(paper, version, (State.REVIEW,), State.REVIEWED)
    _step(paper, user, remarks.strip())


def give_back(paper: Paper, version: int, user: User, remarks: str) -> None:
    if not remarks.strip():
        raise Refused("Say what should change: the remarks are required to return a paper.")
    _move(paper, version, (State.REVIEW, State.REVIEWED, State.ENDORSED), State.DRAFT)
    paper.endorsed_by, paper.endorsed_on = "", None
    _step(paper, user, remarks.strip())


def endorse(paper: Paper, version: int, user: User, by: str, on: date) -> None:
    _move(paper, version, (State.REVIEWED,), State.ENDORSED)
    paper.endorsed_by, paper.endorsed_on = by, on
    _step(paper, user, endorsed_by=by, endorsed_on=on)
