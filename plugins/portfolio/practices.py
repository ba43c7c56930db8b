"""Rules of a good practice: its long-text sections, what a submission needs, who may
do what, and the validation workflow draft -> submitted -> approved / returned / declined.

Every decision about people goes through ``workspace.permissions.can``: a region's
editors write its practices, the lead partner's coordinators (admins) validate them,
and each region's editors rate every practice for their own region.
"""

from __future__ import annotations

import re

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from workspace.api import (
    LANGUAGES,
    N_,
    Action,
    Link,
    Region,
    User,
    can,
    create_document,
    db,
    in_language,
    record,
    utcnow,
)

from .models import Analysis, Practice, Rating, Status

# The long texts of the programme's template, one section each of the practice's Document.
# A new practice's text begins with these headings in its author's language (the text is
# then theirs); ``sections_of`` finds a section under its heading in any of the
# workspace's languages, and pages show the headings in the reader's language.
SECTIONS = [
    "Detailed description",
    "Resources needed",
    "Evidence of success",
    "Difficulties encountered and lessons learnt",
    "Potential for learning or transfer",
]
SECTION_LABELS = {
    "Detailed description": _l("Detailed description"),
    "Resources needed": _l("Resources needed"),
    "Evidence of success": _l("Evidence of success"),
    "Difficulties encountered and lessons learnt": _l(
        "Difficulties encountered and lessons learnt"
    ),
    "Potential for learning or transfer": _l("Potential for learning or transfer"),
}
# The same, as a missing field is named in a sentence ("fill in: resources needed").
MISSING_SECTIONS = {
    "Detailed description": _l("detailed description"),
    "Resources needed": _l("resources needed"),
    "Evidence of success": _l("evidence of success"),
    "Difficulties encountered and lessons learnt": _l(
        "difficulties encountered and lessons learnt"
    ),
    "Potential for learning or transfer": _l("potential for learning or transfer"),
}


def section_label(name: str) -> str:
    """A section's heading in the reader's language."""
    return str(SECTION_LABELS.get(name, name))


_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)


def document_template() -> str:
    """A new practice's text: the sections' headings in the language of its author."""
    return "".join(f"## {section_label(name)}\n\n\n" for name in SECTIONS)


def _headings(name: str) -> list[str]:
    """A section's heading as written in English and in each translation (casefolded)."""
    spellings = [name.casefold()]
    for code in LANGUAGES:
        with in_language(code):
            spellings.append(section_label(name).casefold())
    return spellings


def sections_of(body: str) -> dict[str, str]:
    """The text under each "## Section" heading of the practice's Document (headed in
    any of the workspace's languages), by the section's English name."""
    found: dict[str, str] = {}
    matches = list(_HEADING.finditer(body))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        found[match.group(1).strip().casefold()] = body[match.end() : end].strip()
    if not found:
        return dict.fromkeys(SECTIONS, "")
    return {name: next((found[h] for h in _headings(name) if h in found), "") for name in SECTIONS}


def missing_for_submission(practice: Practice) -> list[str]:
    """What a practice still lacks before it can be submitted, in the form's words (in
    the reader's language)."""
    missing = [
        label
        for label, value in [
            (_("main institution"), practice.institution),
            (_("country"), practice.country),
            (_("short summary"), practice.summary),
            (_("topic"), practice.topic),
            (_("start date"), practice.starts_on),
            (_("contact"), practice.contact),
        ]
        if not value
    ]
    body = practice.document.body if practice.document else ""
    missing += [str(MISSING_SECTIONS[name]) for name, text in sections_of(body).items() if not text]
    return missing


# ---------------------------------------------------------------- who may do what


# Stored with the event as written, translated where the activity is shown.
PHRASES = {
    Status.APPROVED: N_("approved a good practice:"),
    Status.RETURNED: N_("returned a good practice for changes:"),
    Status.DECLINED: N_("declined a good practice:"),
}
# The states an admin may send back to draft, to change texts that are locked.
REOPENABLE = (Status.APPROVED, Status.DECLINED)


def may_edit(user: User, practice: Practice) -> bool:
    return practice.state.editable and can(user, Action.EDIT, practice.region)


def may_validate(user: User) -> bool:
    """The lead partner's coordinators validate practices for the whole project."""
    return can(user, Action.ADMIN)


def may_return_to_draft(user: User, practice: Practice) -> bool:
    """An approved or declined practice is locked; the lead partner's coordinators
    return it to draft so that it can be changed and validated again."""
    return practice.state in REOPENABLE and may_validate(user)


def may_trash(user: User, practice: Practice) -> bool:
    """Who moves a practice to the trash, and brings it back: a draft or returned
    one is its region's editors' work; a submitted, approved or declined one is the
    project's record, so only the region's coordinators and the lead partner's
    coordinators (admins) do."""
    if practice.state.editable:
        return can(user, Action.EDIT, practice.region)
    return can(user, Action.MANAGE, practice.region)


def may_trash_analysis(user: User, analysis: Analysis) -> bool:
    """An analysis goes to the trash (and back) by its author, while they still write
    project-wide texts, or by an admin."""
    if can(user, Action.ADMIN):
        return True
    return analysis.created_by_id == user.id and can(user, Action.EDIT)


def rating_regions(user: User, regions: list[Region]) -> set[int]:
    """Ids of the regions among ``regions`` whose ratings ``user`` may set."""
    return {region.id for region in regions if can(user, Action.EDIT, region)}


# ---------------------------------------------------------------- changes


def new_practice(region: Region, author: User, body: str | None = None, **fields) -> Practice:
    """A draft practice with its long-text Document (the template's empty sections,
    unless ``body`` is given), its title and headings in the author's language."""
    practice = Practice(region=region, created_by_id=author.id, **fields)
    own = [p for p in region.partners if p.id == author.partner_id]
    practice.partner = own[0] if own else next(iter(region.partners), None)
    practice.document = create_document(
        _("Good practice: %(title)s", title=practice.title),
        document_template() if body is None else body,
        region,
        author,
        plugin="portfolio",
    )
    db.session.add(practice)
    db.session.flush()
    g.pop(_DRAFTS, None)
    link_texts(practice.document, practice.ref)
    record(
        "practice_created",
        region=region,
        target=practice.ref,
        title=practice.title,
        phrase=N_("described a new good practice"),
    )
    return practice


def link_texts(document, owner_ref: str) -> None:
    """Link a text to what it belongs to, so its document page leads back there."""
    db.session.add(Link(source=document.ref, target=owner_ref, kind="portfolio_text"))


def touch(practice: Practice) -> None:
    practice.version += 1
    practice.updated_at = utcnow()
    g.pop(_DRAFTS, None)  # its status may have changed


_DRAFTS = "portfolio_draft_documents"


def draft_documents() -> frozenset[int]:
    """Ids of the documents of draft practices, read once per request: the
    ``document_visible`` hook asks for every practice text a list or a search shows."""
    drafts = g.get(_DRAFTS)
    if drafts is None:
        drafts = frozenset(
            db.session.scalars(
                select(Practice.document_id).where(
                    Practice.status == Status.DRAFT.value, Practice.document_id.is_not(None)
                )
            )
        )
        setattr(g, _DRAFTS, drafts)
    return drafts


def submit(practice: Practice, user: User) -> None:
    practice.status = Status.SUBMITTED.value
    practice.decision_note = ""
    touch(practice)
    record(
        "practice_submitted",
        region=practice.region,
        target=practice.ref,
        actor=user,
        phrase=N_("submitted a good practice for validation:"),
    )


def decide(practice: Practice, user: User, status: Status, note: str) -> None:
    practice.status = status.value
    practice.decision_note = note
    practice.decided_by_id = user.id
    practice.decided_at = utcnow()
    touch(practice)
    record(
        f"practice_{status.value}",
        region=practice.region,
        target=practice.ref,
        actor=user,
        phrase=PHRASES[status],
    )


def return_to_draft(practice: Practice, user: User, note: str) -> None:
    """Unlock an approved or declined practice: it becomes a draft again (hidden from
    readers who do not edit its region, its texts open to change), to be submitted and
    validated anew. The approval stays in the activity log."""
    previous = practice.state
    practice.status = Status.DRAFT.value
    practice.decision_note = note
    practice.decided_by_id = None
    practice.decided_at = None
    touch(practice)
    record(
        "practice_returned_to_draft",
        region=practice.region,
        target=practice.ref,
        actor=user,
        previous=previous.value,
        note=note,
        phrase=N_("returned a good practice to draft:"),
    )


def rate(practice: Practice, region: Region, user: User, score: int, note: str) -> Rating:
    rating = db.session.scalar(
        select(Rating).where(Rating.practice_id == practice.id, Rating.region_id == region.id)
    )
    if rating is None:
        rating = Rating(practice=practice, region=region)
        db.session.add(rating)
    rating.score = score
    rating.note = note
    rating.rated_by_id = user.id
    rating.rated_at = utcnow()
    record(
        "practice_rated",
        region=region,
        target=practice.ref,
        actor=user,
        score=score,
        phrase=N_("rated the interest of %(region)s (%(score)s/3) in"),
        phrase_args={"region": region.name, "score": score},
    )
    return rating


# ---------------------------------------------------------------- counts


def rating_counts(practices: list[Practice]) -> dict[int, int]:
    """Practice id -> how many regions rated it, for the cards of a list: counted in
    the database rather than by loading every rating."""
    if not practices:
        return {}
    rows = db.session.execute(
        select(Rating.practice_id, func.count())
        .where(Rating.practice_id.in_([p.id for p in practices]))
        .group_by(Rating.practice_id)
    )
    return dict(rows.all())


def approved_counts() -> dict[int, int]:
    """Region id -> approved practices: the indicator "good practices identified".
    A practice in the trash does not count until it is back."""
    rows = db.session.execute(
        select(Practice.region_id, func.count())
        .where(Practice.status == Status.APPROVED.value, Practice.not_trashed())
        .group_by(Practice.region_id)
    )
    return dict(rows.all())
