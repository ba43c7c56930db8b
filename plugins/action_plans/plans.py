"""Rules of an action plan: its texts, what review and endorsement need, who may do
what, and the workflow draft -> in review -> endorsed (and re-opened).

Every decision about people goes through ``workspace.permissions.can``: a region's
editors write its plans, its coordinators (and the lead partner's admins) endorse them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from workspace.api import (
    N_,
    Action,
    Comment,
    Document,
    Event,
    Link,
    LinkTarget,
    Region,
    User,
    can,
    create_document,
    db,
    describe,
    record,
    utcnow,
)

from .models import Plan, PlanAction, Status

NAME = "action_plans"
INSPIRED = "inspired_by"
# The long texts of one action (the template's Part III), one section each.
ACTION_SECTIONS = ["Background", "Action", "Players involved"]
# How "what is missing" names each of them (lower case, in a list after the action).
SECTION_NAMES = {
    "Background": _l("background"),
    "Action": _l("action"),
    "Players involved": _l("players involved"),
}
_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)


def action_template() -> str:
    return "".join(f"## {name}\n\n\n" for name in ACTION_SECTIONS)


def sections_of(body: str, names=ACTION_SECTIONS) -> dict[str, str]:
    """The text under each "## Section" heading of a Document."""
    found: dict[str, str] = {}
    matches = list(_HEADING.finditer(body or ""))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        found[match.group(1).strip().casefold()] = body[match.end() : end].strip()
    return {name: found.get(name.casefold(), "") for name in names}


def action_texts(action: PlanAction) -> dict[str, str]:
    return sections_of(action.document.body if action.document else "")


def missing_for_review(plan: Plan) -> list[str]:
    """What the template still asks for before the plan can go to review."""
    missing = [
        label
        for label, value in [
            (_("policy instrument name"), plan.instrument_name),
            (_("contact person"), plan.contact),
            (_("language"), plan.language),
        ]
        if not value
    ]
    if not (plan.context_document and plan.context_document.body.strip()):
        missing.append(_("Part II: policy context"))
    if plan.language.strip().casefold() != "english" and not (
        plan.summary_document and plan.summary_document.body.strip()
    ):
        missing.append(_("English summary (the plan is in %(language)s)", language=plan.language))
    if not plan.actions:
        missing.append(_("Part III: at least one action"))
    for action in plan.actions:
        texts = action_texts(action)
        lacks = [str(SECTION_NAMES[name]) for name, text in texts.items() if not text]
        if not action.start_month or not action.end_month:
            lacks.append(_("timeframe"))
        if lacks:
            missing.append(
                _(
                    "Action %(position)s (%(title)s): %(missing)s",
                    position=action.position,
                    title=action.title,
                    missing=", ".join(lacks),
                )
            )
    return missing


# ---------------------------------------------------------------- review comments


class OpenComment(NamedTuple):
    """A comment on one of the plan's texts that nobody has resolved yet."""

    id: int
    document_id: int
    text_label: str
    author: str
    created_at: datetime
    body: str


def plan_texts(plan: Plan) -> list[tuple[str, Document]]:
    """The plan's texts that are reviewed, each with the name the plan page gives it."""
    texts = [(_("Part II: policy context"), plan.context_document)]
    texts.append((_("English summary"), plan.summary_document))
    texts += [
        (_("Action %(position)s: %(title)s", position=a.position, title=a.title), a.document)
        for a in plan.actions
    ]
    return [(label, doc) for label, doc in texts if doc is not None and doc.deleted_at is None]


def open_comments(plan: Plan) -> list[OpenComment]:
    """Unresolved comments on the plan's texts, oldest first: what review left open.

    Comments are resolved in the core (``Comment.resolved_at``) by their author or an
    editor of the region; a comment made before the review and never resolved is still
    open, so every unresolved one counts."""
    labels = {doc.id: label for label, doc in plan_texts(plan)}
    if not labels:
        return []
    rows = db.session.execute(
        select(Comment, User.name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.document_id.in_(list(labels)), Comment.resolved_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return [
        OpenComment(
            c.id,
            c.document_id,
            labels[c.document_id],
            name or _("A former member"),
            c.created_at,
            c.body,
        )
        for c, name in rows
    ]


# ---------------------------------------------------------------- inspiration


def inspired_by(action: PlanAction, user: User) -> list[tuple[Link, LinkTarget | None]]:
    """What inspired an action (the template's "background"): the good practices,
    meetings and visits linked to it, or to its texts, as ``inspired_by``. Each comes
    described by its plugin; None when that plugin is off or the user may not open it,
    so a switched-off module shows as unavailable, never as an error."""
    sources = [action.ref] + ([action.document.ref] if action.document is not None else [])
    links = db.session.scalars(
        select(Link).where(Link.source.in_(sources), Link.kind == INSPIRED).order_by(Link.id)
    ).all()
    unique: dict[str, Link] = {}
    for link in links:
        unique.setdefault(link.target, link)
    described = describe(list(unique), user) if unique else {}
    return [(link, described.get(target)) for target, link in unique.items()]


# ---------------------------------------------------------------- who may do what


def may_edit(user: User, plan: Plan) -> bool:
    return plan.state is not Status.ENDORSED and can(user, Action.EDIT, plan.region)


def may_endorse(user: User, plan: Plan) -> bool:
    """The region's coordinators endorse its plans; admins may too."""
    return can(user, Action.MANAGE, plan.region)


# ---------------------------------------------------------------- changes


def new_plan(region: Region, author: User, context: str = "", summary: str = "", **fields) -> Plan:
    plan = Plan(region=region, created_by_id=author.id, **fields)
    db.session.add(plan)
    own = [p for p in region.partners if p.id == author.partner_id]
    plan.partner = own[0] if own else next(iter(region.partners), None)
    plan.context_document = create_document(
        f"Policy context: {plan.instrument_name}", context, region, author, plugin=NAME
    )
    plan.summary_document = create_document(
        f"English summary: {plan.instrument_name}", summary, region, author, plugin=NAME
    )
    db.session.add(plan)
    db.session.flush()
    record(
        "action_plan_created",
        region=region,
        target=plan.ref,
        title=plan.instrument_name,
        phrase=N_("started an action plan"),
    )
    return plan


def add_action(plan: Plan, author: User, title: str, body: str | None = None, **fields):
    position = max((a.position for a in plan.actions), default=0) + 1
    action = PlanAction(plan=plan, title=title, position=position, **fields)
    db.session.add(action)
    action.document = create_document(
        f"Action {position}: {title}",
        action_template() if body is None else body,
        plan.region,
        author,
        plugin=NAME,
    )
    db.session.add(action)
    db.session.flush()
    touch(plan)
    return action


def add_evidence_document(action: PlanAction, author: User) -> None:
    """The Phase 2 evidence of an action (notes and attached files): a core Document
    that stays open when the plan's texts are locked by its endorsement."""
    if action.evidence_document_id is None:
        action.evidence_document = create_document(
            f"Evidence: action {action.position}, {action.title}",
            "",
            action.plan.region,
            author,
            plugin=NAME,
        )


def remove_action(plan: Plan, action: PlanAction) -> None:
    """Take an action out of the plan; its texts go to the core's deleted documents."""
    if action.document is not None and action.document.deleted_at is None:
        action.document.deleted_at = utcnow()
    plan.actions.remove(action)
    db.session.delete(action)
    for position, item in enumerate(sorted(plan.actions, key=lambda a: a.position), start=1):
        item.position = position
    touch(plan)


def move(plan: Plan, action: PlanAction, step: int) -> bool:
    """Swap the action with its neighbour above (-1) or below (+1)."""
    ordered = sorted(plan.actions, key=lambda a: a.position)
    index = ordered.index(action)
    other = index + step
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    touch(plan)
    return True


def touch(plan: Plan) -> None:
    """A change of the plan itself (its fields, status, or which actions it has and in
    what order): bumps its version, so a form based on the older one is refused."""
    plan.version += 1
    plan.updated_at = utcnow()


def action_saved(plan: Plan) -> bool:
    """Note that one of the plan's actions is being saved, unless the plan was endorsed
    meanwhile (then False, and nothing is written).

    The plan's version is left alone: each action checks its own version, so people
    saving different actions of one plan at once do not refuse each other, and the
    plan's fields keep theirs. Call it before changing the action: the UPDATE holds the
    plan's row until the commit, so an endorsement running at the same moment either
    waits for this save or is seen by it (on SQLite, writers take turns anyway)."""
    written = db.session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.status != Status.ENDORSED.value)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return written == 1


REMOVED = "action_plan_action_removed"
READDED = "action_plan_action_readded"


def removal_of(plan: Plan, action_id: int):
    """The activity entry that removed action ``action_id`` from the plan (who, when,
    its title and texts), or None."""
    ref = f"action_plans:action:{action_id}"
    events = db.session.scalars(
        select(Event)
        .where(Event.verb == REMOVED, Event.target == plan.ref)
        .order_by(Event.id.desc())
        .limit(200)
    )
    return next((e for e in events if (e.detail or {}).get("action") == ref), None)


def readded(plan: Plan, action_id: int) -> PlanAction | None:
    """The action that brought removed action ``action_id`` back, if it is in the plan:
    a second click on "Add it again" finds it instead of adding a copy."""
    ref = f"action_plans:action:{action_id}"
    events = db.session.scalars(
        select(Event)
        .where(Event.verb == READDED, Event.target == plan.ref)
        .order_by(Event.id.desc())
        .limit(200)
    )
    for event in events:
        if (event.detail or {}).get("removed") == ref:
            action = db.session.get(PlanAction, event.detail.get("action_id", 0))
            if action is not None and action.plan_id == plan.id:
                return action
    return None


def removed_texts(plan: Plan, action_id: int) -> Document | None:
    """The texts (core Document) of a removed action, while they can come back with it:
    in the core's deleted documents, and not taken by another action."""
    event = removal_of(plan, action_id)
    document_id = (event.detail or {}).get("document") if event is not None else None
    document = db.session.get(Document, document_id) if document_id else None
    if document is None or document.plugin != NAME or document.region_id != plan.region_id:
        return None
    taken = db.session.scalar(select(PlanAction.id).where(PlanAction.document_id == document.id))
    return None if taken is not None else document


def readd_action(plan: Plan, author: User, removed_id: int, title: str, **fields) -> PlanAction:
    """Put a removed action back at the end of the plan with the facts someone was
    saving when it was removed; its texts come back too when they still can."""
    document = removed_texts(plan, removed_id)
    if document is None:
        action = add_action(plan, author, title, **fields)
    else:
        position = max((a.position for a in plan.actions), default=0) + 1
        document.deleted_at = None
        action = PlanAction(plan=plan, title=title, position=position, document=document, **fields)
        db.session.add(action)
        db.session.flush()
        touch(plan)
    record(
        READDED,
        region=plan.region,
        target=plan.ref,
        actor=author,
        title=title,
        removed=f"action_plans:action:{removed_id}",
        action_id=action.id,
        texts=document is not None,
        phrase=N_("added a removed action back to an action plan:"),
    )
    return action


def set_status(plan: Plan, user: User, status: Status, phrase: str, **detail) -> None:
    plan.status = status.value
    if status is Status.ENDORSED:
        plan.endorsed_by_id = user.id
        plan.endorsed_at = utcnow()
        plan.endorsed_partner_id = user.partner_id or plan.partner_id
        for action in plan.actions:
            add_evidence_document(action, user)
    touch(plan)
    record(
        f"action_plan_{status.value}",
        region=plan.region,
        target=plan.ref,
        actor=user,
        phrase=phrase,
        **detail,
    )


def plan_of_document(document: Document) -> Plan | None:
    plan = db.session.scalar(
        select(Plan).where(
            (Plan.context_document_id == document.id) | (Plan.summary_document_id == document.id)
        )
    )
    if plan is not None:
        return plan
    action = db.session.scalar(select(PlanAction).where(PlanAction.document_id == document.id))
    return action.plan if action is not None else None
