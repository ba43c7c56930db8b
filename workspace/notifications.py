"""Telling people what concerns them: the kinds of the running app, ``notify``, and
each person's choice of e-mail per kind.

The core declares its own kinds (``notification_kinds.CORE_KINDS``) and plugins theirs
through the ``notification_kinds`` hook; both are collected once at start-up. Code
that wants to tell people something calls ``notify(users, kind, subject, url, ...)``
inside its own transaction: the core, not the caller, leaves out the acting person,
inactive accounts and whoever may not read what the notification is about, and sends
nothing at all for a plugin switched off where the thing lives. Each remaining person
gets a row of ``notification`` (their inbox) and, as they chose for that kind, an
e-mail now (``notification_mail.send_now``), one in the next daily digest, or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy import func, select

from . import clock
from .controllers import controls
from .extensions import db
from .i18n import in_language, language_of
from .models import Document, Partner, Region, User
from .notification_kinds import CORE_KINDS, Delivery, NotificationKind
from .notification_mail import send_now
from .notification_models import SUBJECT_MAX, Notification, NotificationPreference
from .permissions import Action, can
from .plugins import PluginError, host
from .visibility import document_shown

EXTENSION_KEY = "workspace.notification_kinds"
# What the inbox and an e-mail show of a notification's text.
BODY_MAX = 1000
_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


# ---------------------------------------------------------------- kinds


def init_app(app: Flask) -> None:
    """Collect the core's and the plugins' kinds (after the plugins are loaded); a
    plugin's mistake stops the app, as a misspelled hook does."""
    found = {kind.name: kind for kind in CORE_KINDS}
    for plugin, declared in host().call_each("notification_kinds"):
        for kind in declared or ():
            found_kind = _checked(plugin, kind)
            if found_kind.name in found:
                raise PluginError(f"plugin {plugin!r}: notification kind {kind.name!r} is taken")
            found[found_kind.name] = found_kind
    app.extensions[EXTENSION_KEY] = found
    app.context_processor(lambda: {"unread_notifications": unread_count})


def _checked(plugin: str, kind: object) -> NotificationKind:
    if not isinstance(kind, NotificationKind):
        raise PluginError(f"plugin {plugin!r}: notification_kinds returns NotificationKind items")
    if kind.plugin not in (None, plugin):
        raise PluginError(f"plugin {plugin!r}: kind {kind.name!r} says plugin={kind.plugin!r}")
    if not (
        _KIND_NAME.match(kind.name) and kind.name.startswith(f"{plugin}.") and len(kind.name) <= 60
    ):
        raise PluginError(
            f"plugin {plugin!r}: a notification kind is named {plugin}.<what> in lower case "
            f"(at most 60 characters), not {kind.name!r}"
        )
    return NotificationKind(kind.name, kind.label, kind.description, kind.default, plugin)


def kinds() -> dict[str, NotificationKind]:
    """Every kind, by name: the core's first, then the plugins' in the hooks' order."""
    return current_app.extensions[EXTENSION_KEY]


def kind_of(name: str) -> NotificationKind:
    try:
        return kinds()[name]
    except KeyError:
        raise ValueError(f"unknown notification kind {name!r}") from None


# ---------------------------------------------------------------- preferences


def deliveries(users: Sequence[User], kind: NotificationKind) -> dict[int, Delivery]:
    """Each person's delivery for ``kind``: their choice, else the kind's default."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                NotificationPreference.kind == kind.name,
                NotificationPreference.user_id.in_([user.id for user in users]),
            )
        ).all()
    )
    return {user.id: Delivery(chosen.get(user.id, kind.default)) for user in users}


def preferences_of(user: User) -> dict[str, Delivery]:
    """The person's delivery for every kind."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {name: Delivery(chosen.get(name, kind.default)) for name, kind in kinds().items()}


def set_preference(user: User, kind: str, delivery: Delivery) -> bool:
    """Store the person's choice for ``kind``; returns whether it changed. The caller
    commits."""
    row = db.session.get(NotificationPreference, (user.id, kind))
    before = Delivery(row.delivery) if row else kind_of(kind).default
    if row is None:
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery.value))
    else:
        row.delivery = delivery.value
    return before is not delivery


# ---------------------------------------------------------------- sending


def is_local(url: str) -> bool:
    """Whether ``url`` is a path of this workspace (no scheme, host or backslash)."""
    parts = urlsplit(url)
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not parts.scheme
        and not parts.netloc
        and not any(ord(c) < 32 for c in url)
    )


def notify(
    users: Iterable[User],
    kind: str,
    subject: str,
    url: str,
    *,
    body: str = "",
    region: Region | None = None,
    plugin: str | None = None,
    target: Document | str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    actor: User | None = None,
    partner: Partner | None = None,
) -> list[Notification]:
    """Tell ``users`` about something, in the caller's transaction (the caller commits).

    ``kind`` is a declared kind's name; ``subject`` one line ("Ana commented on
    “Budget notes”"); ``url`` the path of the thing; ``body`` a short plain text
    (a snippet). Each person reads ``subject`` and ``body`` in their own language:
    pass them as ``lazy_gettext(...)`` (with named placeholders), and each is turned
    into text (and stored) in the recipient's language; a plain string stays as it
    is. ``region`` is where the thing lives (None: project-wide) and
    ``target`` what it is: a ``Document`` (its region, switch and visibility rules
    apply) or a reference ("minutes:meeting:4"). ``attachments`` go with an e-mail sent
    at once, as ``(filename, content, mimetype)`` (an ``.ics`` file, say). ``partner``:
    news of that partner's controlled work (its report), which its controllers may
    read as well as those who read ``region``.

    Left out, whatever the caller passes: the acting person (``actor``, by default
    the signed-in user), inactive accounts, and whoever may not read the thing. A
    plugin's kind (and ``plugin``) sends nothing where that plugin is switched off.
    Returns the notifications made.
    """
    declared = kind_of(kind)
    if plugin is not None and declared.plugin not in (None, plugin):
        raise ValueError(f"kind {kind!r} belongs to plugin {declared.plugin!r}, not {plugin!r}")
    plugin = declared.plugin or plugin
    if not is_local(url):
        raise ValueError(f"a notification links to a path of the workspace, not {url!r}")
    document = target if isinstance(target, Document) else None
    if document is not None:
        region = document.region
        if document.deleted_at is not None:
            return []
    if plugin is not None and not _switched_on(plugin, region):
        return []
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    recipients: dict[int, User] = {}
    for user in users:
        if user is None or user.id in recipients or (actor is not None and user.id == actor.id):
            continue
        if not user.active:
            continue
        if document is not None:
            if not document_shown(document, user):
                continue
        elif not _reads(user, region, partner.id if partner is not None else None):
            continue
        recipients[user.id] = user
    if not recipients:
        return []
    people = list(recipients.values())
    chosen = deliveries(people, declared)
    moment = clock.now()
    made = []
    for user in people:
        with in_language(language_of(user)):
            written = " ".join(str(subject).split())[:SUBJECT_MAX]
            snippet = str(body).strip()[:BODY_MAX]
        notification = Notification(
            user_id=user.id,
            kind=kind,
            subject=written,
            url=url,
            body=snippet,
            region_id=region.id if region is not None else None,
            partner_id=partner.id if partner is not None else None,
            plugin=plugin,
            target=document.ref if document is not None else target,
            created_at=moment,
            delivery=chosen[user.id].value,
        )
        notification.user = user
        db.session.add(notification)
        made.append(notification)
    db.session.flush()
    for notification in made:
        if notification.delivery == Delivery.IMMEDIATELY:
            send_now(notification, declared, attachments)
    return made


def _reads(user: User, region: Region | None, partner_id: int | None) -> bool:
    """Whether ``user`` may read news of ``region`` (a partner's: its controllers too)."""
    if can(user, Action.READ, region):
        return True
    return partner_id is not None and controls(user, partner_id)


def _switched_on(plugin: str, region: Region | None) -> bool:
    plugin_host = host()
    if plugin not in plugin_host.infos:
        return False
    if region is None:
        return plugin in plugin_host.enabled_anywhere()
    return plugin in plugin_host.enabled_in(region)


def still_for(notification: Notification, user: User) -> bool:
    """Whether ``notification`` may still go to ``user`` by mail, as ``notify`` would
    decide now: a digest goes out hours after the news, and meanwhile the module may
    have been switched off where it lives, the text deleted, or the person's access
    taken away."""
    region = db.session.get(Region, notification.region_id) if notification.region_id else None
    if notification.plugin is not None and not _switched_on(notification.plugin, region):
        return False
    target = notification.target or ""
    number = target.removeprefix("doc:")
    if target.startswith("doc:") and number.isdigit():
        document = db.session.get(Document, int(number))
        return (
            document is not None and document.deleted_at is None and document_shown(document, user)
        )
    return _reads(user, region, notification.partner_id)


# ---------------------------------------------------------------- the inbox


def unread_count() -> int:
    """The signed-in person's unread notifications, counted once per request (with
    the session's own query, ``sessions.DatabaseSessions``; a view that marks some read
    drops the count from ``g`` to have it counted again)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)
            )
        )
    return g.unread_notifications
