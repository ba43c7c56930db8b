"""Rules of a policy paper: its template, its sections, who may do what, and the steps
Draft -> In review -> Reviewed by the advisory partner -> Endorsed (and back to Draft).

Every step is a compare-and-swap on the paper's version: of two people acting on the
same page at once, the second is told. Who may take a step is decided here too, through
``can`` and the partner's role; the views only ask. The caller commits.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from workspace.api import (
    LANGUAGES,
    N_,
    Action,
    PartnerRole,
    Region,
    User,
    can,
    create_document,
    db,
    in_language,
    now,
    record,
)

from .models import Kind, Paper, PaperStep, State

# The templates: each section a Markdown heading, with a one-line hint under it. A new
# paper's text is begun in the language of the person who begins it (it is then theirs):
# ``section`` finds a heading, and knows a hint, in any of the workspace's languages.
TEMPLATES: dict[Kind, list[tuple[str, str]]] = {
    Kind.SITUATION: [
        (
            _l("Regional context"),
            _l(
                "The region's economy, its border position and the SMEs that trade or could "
                "trade across borders."
            ),
        ),
        (
            _l("The SME internationalisation ecosystem"),
            _l(
                "Who supports SMEs going abroad (agencies, chambers, clusters, universities) "
                "and how they work together."
            ),
        ),
        (
            _l("Policy instruments and support available"),
            _l(
                "The ERDF programme and other instruments that fund internationalisation, "
                "and what they offer SMEs today."
            ),
        ),
        (
            _l("Needs and gaps"),
            _l("What SMEs and their support organisations miss, as the stakeholder group sees it."),
        ),
        (_l("Conclusions"), _l("What the region should work on, in a few points.")),
    ],
    Kind.RECOMMENDATIONS: [
        (
            _l("Summary of the analysis"),
            _l("The main findings of the situation report, in a few sentences."),
        ),
        (
            _l("Recommendations for regional policy"),
            _l("What the policy instrument should change, each recommendation with its reason."),
        ),
        (
            _l("How they feed the action plan"),
            _l("Which actions of the regional action plan take up each recommendation."),
        ),
        (
            _l("Recommendations for the next programming period"),
            _l("What the region asks of the next EU programming period."),
        ),
    ],
    Kind.NEXT_PERIOD: [
        (
            _l("Summary"),
            _l("What the five regions learnt together, and why it matters after 2020."),
        ),
        (
            _l("Recommendations for the next programming period"),
            _l("The project's recommendations, drawn from the regions' own."),
        ),
        (
            _l("How the regions will follow them up"),
            _l("Who takes each recommendation forward, and where."),
        ),
    ],
}

# The section of a region's recommendations that the project's paper gathers.
NEXT_PERIOD_SECTION = _l("Recommendations for the next programming period")

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)


def template(kind: Kind) -> str:
    """The text a new paper starts from: each section's heading and hint, in the
    language of the person beginning it."""
    return "\n".join(f"## {name}\n\n*{hint}*\n" for name, hint in TEMPLATES[kind])


def _in_every_language(texts) -> set[str]:
    """``texts`` (lazy strings) as each of the workspace's languages writes them."""
    found = set()
    for code in LANGUAGES:
        with in_language(code):
            found.update(str(text) for text in texts)
    return found


def section(body: str, name) -> str:
    """The Markdown under the "## name" heading of ``body`` (``name`` in any of the
    workspace's languages), up to the next heading of that level; empty when there is
    no such heading. A hint left unchanged counts as nothing written."""
    matches = list(_HEADING.finditer(body))
    if not matches:
        return ""
    names = {text.casefold() for text in _in_every_language([name])}
    for index, match in enumerate(matches):
        if match.group(1).strip().casefold() in names:
            end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
            text = body[match.end() : end].strip()
            all_hints = [hint for kind in TEMPLATES.values() for _name, hint in kind]
            hints = {f"*{hint}*" for hint in _in_every_language(all_hints)}
            return "" if text in hints else text
    return ""


def default_title(kind: Kind, region: Region | None) -> str:
    """A new paper's title as the form proposes it, in the reader's language."""
    if region is None:
        return kind.label
    return _("%(kind)s: %(region)s", kind=kind.label, region=region.name)


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


STALE = _l("Someone else changed this paper a moment ago: here it is as it stands now.")


def existing(region: Region | None, kind: Kind) -> Paper | None:
    where = Paper.region_id == region.id if region is not None else Paper.region_id.is_(None)
    return db.session.scalar(select(Paper).where(where, Paper.kind == kind.value))


def new_paper(
    region: Region | None, kind: Kind, title: str, author: User, body: str | None = None
) -> Paper:
    """A draft paper with its text, from the kind's template (unless ``body`` is given)."""
    if existing(region, kind) is not None:
        raise Refused(_already_begun(region, kind), 409)
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
        phrase=BEGUN[kind],
    )
    return paper


def _already_begun(region: Region | None, kind: Kind) -> str:
    if region is None:
        return _(
            "the project has its recommendations for the next programming period already: "
            "open it from the list and write there."
        )
    if kind is Kind.SITUATION:
        return _(
            "%(region)s has its situation report already: open it from the list and write there.",
            region=region.name,
        )
    return _(
        "%(region)s has its recommendations for regional policy already: open it from the "
        "list and write there.",
        region=region.name,
    )


def _in_sentence(state: State) -> str:
    """A state as it reads after "This paper is" (lower case in English)."""
    return {
        State.DRAFT: _("draft"),
        State.REVIEW: _("in review"),
        State.REVIEWED: _("reviewed by the advisory partner"),
        State.ENDORSED: _("endorsed"),
    }[state]


def _cannot(state: State, to: State) -> str:
    now = _in_sentence(state)
    return {
        State.DRAFT: _("This paper is %(state)s: it cannot be draft now.", state=now),
        State.REVIEW: _("This paper is %(state)s: it cannot be in review now.", state=now),
        State.REVIEWED: _("This paper is %(state)s: it cannot be reviewed now.", state=now),
        State.ENDORSED: _("This paper is %(state)s: it cannot be endorsed now.", state=now),
    }[to]


# Stored with the event as written, translated where the activity is shown.
PHRASES = {
    State.REVIEW: N_("sent a policy paper to the advisory partner for review:"),
    State.REVIEWED: N_("reviewed a policy paper:"),
    State.ENDORSED: N_("recorded the endorsement of a policy paper:"),
    State.DRAFT: N_("returned a policy paper to draft:"),
}
BEGUN = {
    Kind.SITUATION: N_("began a situation report:"),
    Kind.RECOMMENDATIONS: N_("began recommendations for regional policy:"),
    Kind.NEXT_PERIOD: N_("began recommendations for the next programming period:"),
}


def _move(paper: Paper, version: int, allowed: tuple[State, ...], to: State) -> None:
    if paper.status not in allowed:
        raise Refused(_cannot(paper.status, to), 409)
    moved = db.session.execute(
        update(Paper)
        .where(Paper.id == paper.id, Paper.version == version)
        .values(state=to.value, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise Refused(str(STALE), 409)
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
        raise Refused(_("Say what should change: the remarks are required to return a paper."))
    _move(paper, version, (State.REVIEW, State.REVIEWED, State.ENDORSED), State.DRAFT)
    paper.endorsed_by, paper.endorsed_on = "", None
    _step(paper, user, remarks.strip())


def endorse(paper: Paper, version: int, user: User, by: str, on: date) -> None:
    _move(paper, version, (State.REVIEWED,), State.ENDORSED)
    paper.endorsed_by, paper.endorsed_on = by, on
    _step(paper, user, endorsed_by=by, endorsed_on=on)
