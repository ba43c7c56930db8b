"""Notifications by e-mail: one mail per notification for kinds a person gets at once,
the daily digest's mail, and the unsubscribe links both carry.

Every mail has a ``List-Unsubscribe`` link (RFC 8058 one-click) holding a token signed
with the secret key for one person and one kind ("digest" for the digest: every kind
they get daily). The link's page (``notification_views.unsubscribe``) turns that kind's
e-mail off; the inbox keeps getting the notifications.

Links in a mail are absolute. Inside a request they use the request's host, as the
set-password links do; the worker has no request, so it builds them on ``BASE_URL``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING

from flask import current_app, has_request_context, url_for
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer

from . import clock
from .i18n import in_language, language_of
from .mail import queue_mail
from .mail_templates import render_mail

if TYPE_CHECKING:
    from .models import User
    from .notification_kinds import NotificationKind
    from .notification_models import Notification

DIGEST = "digest"  # the unsubscribe token's kind for the daily digest
_SALT = "notification-unsubscribe"


def unsubscribe_token(user: User, kind: str) -> str:
    return _serializer().dumps([user.id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token was made for, or None when it is not one of ours."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    return user_id, kind


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


@contextmanager
def _links() -> Iterator[None]:
    """Where ``url_for(..., _external=True)`` works: the request, or ``BASE_URL``."""
    if has_request_context():
        context = nullcontext()
    else:
        context = current_app.test_request_context(base_url=current_app.config["BASE_URL"])
    with context:
        yield


def _open_link(notification: Notification) -> str:
    """The mail's link: opening the notification marks it read, then goes to the thing."""
    return url_for(
        "notifications.open_notification", notification_id=notification.id, _external=True
    )


def send_now(
    notification: Notification,
    kind: NotificationKind,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Queue the mail of one notification and note it as e-mailed."""
    user = notification.user
    with _links(), in_language(language_of(user)):
        unsubscribe = url_for(
            "notifications.unsubscribe", token=unsubscribe_token(user, kind.name), _external=True
        )
        text, html = render_mail(
            "notification",
            subject=notification.subject,
            user=user,
            notification=notification,
            kind=kind,
            link=_open_link(notification),
            preferences=url_for("notifications.preferences", _external=True),
            unsubscribe=unsubscribe,
        )
    queue_mail(
        user.email,
        notification.subject,
        text,
        html,
        kind="notification",
        unsubscribe_url=unsubscribe,
        attachments=attachments,
    )
    notification.emailed_at = clock.now()


def send_digest(user: User, items: Sequence[Notification], labels: dict[str, str]) -> None:
    """Queue one mail listing ``items`` (oldest first), in the person's language (the
    ``labels`` of the kinds may be lazy); the caller notes them as sent."""
    with _links(), in_language(language_of(user)):
        subject = ngettext(
            "%(num)d notification from the workspace",
            "%(num)d notifications from the workspace",
            len(items),
        )
        unsubscribe = url_for(
            "notifications.unsubscribe", token=unsubscribe_token(user, DIGEST), _external=True
        )
        text, html = render_mail(
            "digest",
            subject=subject,
            user=user,
            items=[
                (
                    item,
                    str(labels.get(item.kind, item.kind)),
                    _open_link(item),
                )
                for item in items
            ],
            inbox=url_for("notifications.inbox", _external=True),
            preferences=url_for("notifications.preferences", _external=True),
            unsubscribe=unsubscribe,
        )
    queue_mail(
        user.email, subject, text, html, kind="notification_digest", unsubscribe_url=unsubscribe
    )
