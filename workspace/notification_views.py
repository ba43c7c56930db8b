"""The pages of notifications: the inbox (``/inbox``), each person's e-mail choices
(``/account/notifications``) and the unsubscribe link of the mails (``/unsubscribe/...``).

The unsubscribe link works without signing in and, for its POST, without a form
token: mail programs post to it on their own (RFC 8058 one-click, no session, no
cookie). What it may change is fixed by its token, signed for one person and one kind,
so it is exempt from the CSRF check on purpose and nowhere else.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update

from . import clock
from .activity import record
from .converters import db_int
from .extensions import csrf, db
from .models import User
from .notification_kinds import Delivery
from .notification_mail import DIGEST, read_unsubscribe_token
from .notification_models import Notification
from .notifications import (
    is_local,
    kinds,
    preferences_of,
    set_preference,
    still_for,
    unread_count,
)
from .rendering import error_response, no_store, render, wants_fragment

bp = Blueprint("notifications", __name__)

INBOX_PAGE = 50  # notifications a page of the inbox shows, newest first


# ---------------------------------------------------------------- the inbox


def _inbox(status: int = 200) -> Response:
    """A page of the inbox (``page`` from the address, or from the form whose button
    swapped the list, so marking one read keeps the reader on their page)."""
    user = current_user._get_current_object()
    mine = Notification.user_id == user.id
    total = db.session.scalar(select(func.count(Notification.id)).where(mine)) or 0
    pages = max(-(-total // INBOX_PAGE), 1)
    page = min(max(request.values.get("page", 1, type=db_int) or 1, 1), pages)
    items = db.session.scalars(
        select(Notification)
        .where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * INBOX_PAGE)
        .limit(INBOX_PAGE)
    ).all()
    return render(
        "notifications/inbox.html",
        block="inbox",
        status=status,
        items=items,
        unread=unread_count(),
        page=page,
        pages=pages,
    )


@bp.get("/inbox")
def inbox() -> Response:
    return _inbox()


def _own(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.get("/inbox/<id:notification_id>")
def open_notification(notification_id: int) -> Response:
    """Mark the notification read and go to what it is about (a path of this site)."""
    notification = _own(notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.commit()
    if not still_for(notification, current_user._get_current_object()):
        # Rather than a bare 404 or 403: say why the link leads nowhere now.
        flash(
            _(
                "What this notification is about has been deleted since, its module switched "
                "off, or you may no longer read it."
            ),
            "error",
        )
        return redirect(url_for("notifications.inbox"), 303)
    target = notification.url if is_local(notification.url) else url_for("notifications.inbox")
    return redirect(target, 303)


@bp.post("/inbox/<id:notification_id>/read")
def mark_read(notification_id: int) -> Response:
    notification = _own(notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.commit()
    return _done()


@bp.post("/inbox/read-all")
def mark_all_read() -> Response:
    marked = db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now()),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    if marked:  # also to htmx, whose swap of the list alone says nothing to a screen reader
        flash(_("Everything in your inbox is marked read."), "success")
    return _done()


def _done() -> Response:
    g.pop("unread_notifications", None)  # read with the session, before the change
    if wants_fragment():
        return _inbox()
    return redirect(url_for("notifications.inbox"), 303)


# ---------------------------------------------------------------- preferences


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences() -> Response:
    user = current_user._get_current_object()
    chosen = preferences_of(user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted: dict[str, Delivery] = {}
        for name in kinds():
            value = request.form.get(f"kind-{name}", "")
            try:
                wanted[name] = Delivery(value)
            except ValueError:
                errors[name] = _("Choose e-mail at once, in the daily digest, or none.")
        if not errors:
            changed = [
                name for name, delivery in wanted.items() if set_preference(user, name, delivery)
            ]
            if changed:
                record(
                    "notification_preferences_saved",
                    target=f"user:{user.id}",
                    **{name: wanted[name].value for name in changed},
                )
            db.session.commit()
            flash(_("Saved. Notifications reach you as you chose."), "success")
            return redirect(url_for("notifications.preferences"), 303)
        chosen = {name: wanted.get(name, delivery) for name, delivery in chosen.items()}
    return render(
        "notifications/preferences.html",
        status=422 if errors else 200,
        kinds=kinds(),
        chosen=chosen,
        errors=errors,
        deliveries=list(Delivery),
    )


# ---------------------------------------------------------------- unsubscribing


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> Response:
    """GET: a page asking to confirm. POST (its button, or a mail program's one-click
    request): turn that kind's e-mail off for the token's person."""
    no_store()
    found = read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    names = _unsubscribed_kinds(user, found[1]) if user is not None else None
    if names is None:
        return error_response(
            400,
            _(
                "This unsubscribe link is not valid. Sign in and choose "
                "your e-mail under Account → Notifications."
            ),
        )
    labels = [kinds()[name].label for name in names]
    if request.method == "GET":
        return render("notifications/unsubscribe.html", user=user, labels=labels, done=False)
    for name in names:
        set_preference(user, name, Delivery.OFF)
    record("notifications_unsubscribed", target=f"user:{user.id}", actor=user, kinds=sorted(names))
    db.session.commit()
    return render("notifications/unsubscribe.html", user=user, labels=labels, done=True)


def _unsubscribed_kinds(user: User, kind: str) -> list[str] | None:
    """The kinds a token turns off: its own, or for the digest's every kind the person
    gets daily; None when the kind is not known (any more)."""
    if kind == DIGEST:
        return [name for name, d in preferences_of(user).items() if d is Delivery.DAILY]
    return [kind] if kind in kinds() else None
