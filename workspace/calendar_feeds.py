"""Calendar feeds at a personal address: each person's meetings and deadlines, and
the meetings of the regions they read, for calendar apps (Outlook, Google, Apple,
Thunderbird) that subscribe to an address and fetch it now and then, without signing in.

The address carries a random token (``secrets.token_urlsafe(32)``); the database keeps
only its sha256 digest, one per person (``calendar_token``). Whoever has the address
reads those calendars, so the account page shows it once, right after it is made, and
offers to replace it (the old one stops working at once) or to stop the feeds. An
unknown or revoked token, a deactivated account and a region the person may not read
all get the same plain 404.

The entries come from the plugins' ``calendar_entries`` hook, screened by the host like
search results (the plugin is on where the entry lives, the person may read there); this
module writes the iCalendar file. A feed request writes no session and sets no cookie:
its answer may be kept in the calendar app's own cache for five minutes.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from . import clock, i18n
from .activity import record
from .extensions import db
from .hookspecs import CalendarEntry
from .models import Region, User, UTCDateTime
from .permissions import Action, can
from .plugins import host
from .rendering import no_store, render, wants_fragment
from .sessions import digest

HOOK = "calendar_entries"
# A calendar app polls every few minutes to hours: note the use once an hour, not at
# every poll.
NOTE_USE_EVERY = timedelta(hours=1)
# Calendar apps may keep the answer this long (seconds); a change shows after it.
CACHE_SECONDS = 300
# Longer than any token this module makes: anything longer is not worth hashing.
TOKEN_MAX = 100

bp = Blueprint("calendar_feeds", __name__)


class CalendarToken(db.Model):
    """The person's calendar address, as the sha256 of its token: a copy of the
    database gives no one a working address."""

    __tablename__ = "calendar_token"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# ---------------------------------------------------------------- tokens


def token_of(user: User) -> CalendarToken | None:
    return db.session.get(CalendarToken, user.id)


def issue(user: User) -> str:
    """A new calendar token for ``user``, in place of the one they had (which stops
    working with the commit). Returns the token in clear, to show once; the caller
    commits."""
    token = secrets.token_urlsafe(32)
    row = token_of(user)
    if row is None:
        row = CalendarToken(user_id=user.id)
        db.session.add(row)
    row.token_hash = digest(token)
    row.created_at = clock.now()
    row.last_used_at = None
    return token


def revoke(user: User) -> bool:
    """Stop the person's feeds; returns whether there were any. The caller commits."""
    statement = delete(CalendarToken).where(CalendarToken.user_id == user.id)
    return bool(db.session.execute(statement).rowcount)


def _found(token: str) -> tuple[CalendarToken, User] | None:
    """The token's row and its person, while the person's account is active."""
    if not token or len(token) > TOKEN_MAX:
        return None
    found = db.session.execute(
        select(CalendarToken, User)
        .join(User, User.id == CalendarToken.user_id)
        .where(CalendarToken.token_hash == digest(token))
    ).first()
    if found is None or not found[1].active:
        return None
    return found[0], found[1]


# ---------------------------------------------------------------- the feeds


def feed_regions(user: User) -> list[Region]:
    """The regions whose feed ``user`` may read and where some plugin fills one."""
    plugins = host()
    filling = plugins.implementing(HOOK)
    regions = db.session.scalars(select(Region).order_by(Region.name))
    return [
        region
        for region in regions
        if filling & plugins.enabled_in(region) and can(user, Action.READ, region)
    ]


def entries(user: User, region: Region | None) -> list[CalendarEntry]:
    """The entries of ``user``'s own feed (``region`` None) or of a region's feed: of
    every plugin switched on there (the personal feed: on somewhere). The host drops
    what lies where the plugin is off or what ``user`` may not read; a region's feed
    also drops what a plugin gave of another region."""
    plugins = host()
    switched_on = plugins.enabled_anywhere() if region is None else plugins.enabled_in(region)
    found = plugins.collect(HOOK, switched_on, user=user, region=region)
    if region is not None:
        found = [e for e in found if getattr(e.region, "id", e.region) == region.id]
    return found


def calendar_file(found: list[CalendarEntry], name: str) -> bytes:
    """An iCalendar file of ``found``; aware times keep their zone (its VTIMEZONE is
    included), a ``date`` start makes an all-day entry."""
    cal = Calendar()
    cal.add("prodid", "-//InterVentures Workspace//Calendar feed//EN")
    cal.add("version", "2.0")
    # icalendar does not escape an X- property: a line break there would break the file.
    cal.add("x-wr-calname", " ".join(name.split()))
    cal.add("x-published-ttl", "PT1H")  # how often Outlook and Apple look again
    stamp = clock.now()
    for entry in found:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("summary", entry.title)
        event.add("dtstart", entry.start)
        if entry.end is not None:
            event.add("dtend", entry.end)
        if entry.status:
            event.add("status", entry.status)
        event.add("sequence", entry.sequence)
        for field in ("location", "url", "description"):
            if value := getattr(entry, field):
                event.add(field, value)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def _not_found() -> Response:
    """The same answer whatever is wrong. Plain text: the error page would start a
    session (its form token) for a caller that never signs in."""
    return Response(_("There is no calendar at this address.") + "\n", 404, mimetype="text/plain")


def _feed(token: str, slug: str | None) -> Response:
    found = _found(token)
    if found is None:
        return _not_found()
    row, user = found
    region = None
    if slug is not None:
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        if region is None or not can(user, Action.READ, region):
            return _not_found()
    project = current_app.config["PROJECT_NAME"]
    # Written in the person's language (a calendar app sends no cookie and no session).
    with i18n.in_language(i18n.language_of(user)):
        name = f"{project} · {region.name if region else _('My meetings and action items')}"
        body = calendar_file(entries(user, region), name)
    moment = clock.now()
    if row.last_used_at is None or moment - row.last_used_at >= NOTE_USE_EVERY:
        row.last_used_at = moment
        db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    return response


@bp.get("/calendar/<token>/mine.ics")
def my_feed(token: str) -> Response:
    """The person's own feed: the meetings they take part in, their open deadlines."""
    return _feed(token, None)


@bp.get("/calendar/<token>/<slug:region>.ics")
def region_feed(token: str, region: str) -> Response:
    """A region's meetings, for a person who may read the region."""
    return _feed(token, region)


# ---------------------------------------------------------------- the account page


def addresses(token: str, user: User) -> list[tuple[str, str]]:
    """(what, address) of each feed the token opens for ``user``."""
    mine = url_for("calendar_feeds.my_feed", token=token, _external=True)
    return [(_("Your meetings and action items"), mine)] + [
        (
            _("Meetings of %(region)s", region=region.name),
            url_for("calendar_feeds.region_feed", token=token, region=region.slug, _external=True),
        )
        for region in feed_regions(user)
    ]


def _section(user: User, token: str | None = None) -> Response:
    """The account page's section, alone for htmx; without it, a page holding it."""
    no_store()  # the addresses are secrets
    context = {
        "calendar": token_of(user),
        "calendar_addresses": addresses(token, user) if token else None,
    }
    if wants_fragment():
        return Response(render_template("calendar_feeds/_section.html", **context))
    return render("calendar_feeds/addresses.html", **context)


@bp.post("/account/calendar")
def create_address() -> Response:
    """A new calendar address (the old one, if any, stops working), shown once."""
    user = current_user._get_current_object()
    replaced = token_of(user) is not None
    token = issue(user)
    what = "calendar_address_replaced" if replaced else "calendar_address_created"
    record(what, target=f"user:{user.id}")
    db.session.commit()
    return _section(user, token)


@bp.post("/account/calendar/stop")
def stop_feeds() -> Response:
    """The calendar address stops working; calendar apps subscribed to it get 404."""
    user = current_user._get_current_object()
    if revoke(user):
        record("calendar_feeds_stopped", target=f"user:{user.id}")
        db.session.commit()
    if wants_fragment():
        return _section(user)
    flash(_("Your calendar addresses no longer work."), "success")
    return redirect(url_for("account.settings") + "#calendar", 303)
