"""Notifications (issue 16, item 3): @mentions, comments on followed documents, the inbox,
e-mail per kind (at once, the daily digest at 07:00 local time, or none), one-click
unsubscribing, and the core's rules: nobody hears of what they may not read, nor of
their own doing, nor of a module switched off where the thing lives."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from sqlalchemy import select

from tests.conftest import CORE_CONFIG, HTMX, make_app
from workspace.extensions import db
from workspace.follows import follow
from workspace.hookspecs import PluginInfo, hookimpl
from workspace.mail import OutboxMessage, compose
from workspace.mentions import mentioned
from workspace.models import Document, MembershipRole, Region, User
from workspace.notification_digest import send_digests
from workspace.notification_kinds import NotificationKind
from workspace.notification_models import Notification
from workspace.notifications import notify
from workspace.plugins import PluginError
from workspace.revisions import create
from workspace.testing import new_document, sign_in, switch_on, write_document

# A Monday in winter: Brussels is UTC+1, Vilnius UTC+2.
START = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)


@pytest.fixture
def workspace_config():
    return {**CORE_CONFIG, "NOW": START}


@pytest.fixture
def doc(app, world):
    """A document of Burgos, written by the editor."""
    return new_document(sign_in(app, world.editor.email), "Situation report", "text\n")


def inbox_of(app, user) -> list[tuple[str, str]]:
    """(kind, subject) of the person's notifications, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(Notification.kind, Notification.subject)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
        return [tuple(row) for row in rows]


def mails_to(app, user) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for message in messages:
            db.session.expunge(message)
    return [message for message in messages if user.email in message.recipients]


def unread_shown(page: str) -> str | None:
    """The unread count the header shows, if any."""
    found = re.search(r'id="inbox-count"[^>]*>\s*<span class="badge badge-count">(\d+)<', page)
    return found.group(1) if found else None


def choose(app, user, **deliveries: str) -> None:
    """The person sets kinds' e-mail on their preferences page (the rest unchanged)."""
    client = sign_in(app, user.email)
    page = client.get("/account/notifications").text
    form = dict(re.findall(r'name="(kind-[\w.]+)" value="(\w+)" checked', page))
    form.update({f"kind-{kind}": value for kind, value in deliveries.items()})
    assert client.post("/account/notifications", data=form).status_code == 303


# ---------------------------------------------------------------- mentions


def test_a_mention_names_people_by_name_or_address_local_part(app, make, world):
    ana = make.user("ana.kovacs@example.org", name="Ana Kovács")
    make.user("ana@example.org", name="Ana")
    text = (
        "Thanks @ana kovács, and cc @coord. Ask stake@example.org, not @Anatol; "
        "@Other: see (@outsider)."
    )
    with app.app_context():
        found = {user.email for user in mentioned(text)}
    assert found == {ana.email, world.coordinator.email, world.other.email, world.outsider.email}


def test_a_name_two_people_share_mentions_neither(app, make, world):
    make.user("maria@one.example", name="María Sanz")
    make.user("maria@two.example", name="María Sanz")
    with app.app_context():
        assert mentioned("@María Sanz and @maria") == set()
        assert {u.email for u in mentioned("@maria@one.example")} == set()


def test_a_mention_in_a_comment_reaches_the_named_readers_only(app, world, doc):
    stakeholder = sign_in(app, world.stakeholder.email)
    response = stakeholder.post(
        f"/docs/{doc}/comments", data={"body": "@Coord and @outsider and @stake: look"}
    )
    assert response.status_code == 303
    subject = "Stake mentioned you in a comment on “Situation report”"
    assert inbox_of(app, world.coordinator) == [("mention", subject)]
    # A stakeholder of Pannon only may not read Burgos; the writer is not told of it.
    assert inbox_of(app, world.outsider) == []
    assert inbox_of(app, world.stakeholder) == []
    # The document's creator hears of the comment (once, as a comment).
    assert inbox_of(app, world.editor) == [("comment", "Stake commented on “Situation report”")]


def test_a_revision_notifies_only_the_mentions_it_adds(app, world):
    editor = sign_in(app, world.editor.email)
    doc = new_document(editor, "Plan", "@Coord please check\n")
    assert inbox_of(app, world.coordinator) == [("mention", "Editor mentioned you in “Plan”")]
    write_document(app, doc, "@Coord please check\nA second line.\n")
    assert len(inbox_of(app, world.coordinator)) == 1
    write_document(app, doc, "@Coord please check\nA second line, @stake.\n")
    assert len(inbox_of(app, world.coordinator)) == 1
    assert inbox_of(app, world.stakeholder) == [("mention", "Editor mentioned you in “Plan”")]


# ---------------------------------------------------------------- following


def test_a_comment_reaches_the_followers_of_a_document(app, world, doc):
    other = sign_in(app, world.other.email)
    assert ">Follow</button>" in other.get(f"/docs/{doc}").text
    response = other.post(f"/docs/{doc}/follow", headers=HTMX)
    assert response.status_code == 200 and ">Following</button>" in response.text
    coordinator = sign_in(app, world.coordinator.email)
    coordinator.post(f"/docs/{doc}/comments", data={"body": "Numbers added."})
    said = ("comment", "Coord commented on “Situation report”")
    assert inbox_of(app, world.other) == [said]
    assert inbox_of(app, world.editor) == [said]  # the creator follows from the start
    assert inbox_of(app, world.coordinator) == []
    other.post(f"/docs/{doc}/unfollow")
    sign_in(app, world.editor.email).post(f"/docs/{doc}/unfollow")
    coordinator.post(f"/docs/{doc}/comments", data={"body": "And the dates."})
    assert inbox_of(app, world.other) == [said]
    assert inbox_of(app, world.editor) == [said]


def test_a_follower_who_may_no_longer_read_hears_nothing(app, world, doc):
    outsider = sign_in(app, world.outsider.email)
    assert outsider.post(f"/docs/{doc}/follow").status_code == 403
    with app.app_context():
        follow(db.session.get(User, world.outsider.id), f"doc:{doc}")
        db.session.commit()
    sign_in(app, world.coordinator.email).post(f"/docs/{doc}/comments", data={"body": "Hi"})
    assert inbox_of(app, world.outsider) == []


# ---------------------------------------------------------------- e-mail per kind


def test_at_once_queues_a_mail_with_a_one_click_unsubscribe_link(app, world, doc):
    sign_in(app, world.stakeholder.email).post(f"/docs/{doc}/comments", data={"body": "@coord"})
    (mail,) = mails_to(app, world.coordinator)
    assert mail.subject == "Stake mentioned you in a comment on “Situation report”"
    assert mail.kind == "notification"
    assert "/inbox/" in mail.text_body and "@coord" in mail.text_body
    with app.app_context():
        email = compose(mail, "workspace@example.org", START)
    assert email["List-Unsubscribe"] == f"<{mail.unsubscribe_url}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The comment is a daily kind by default: the editor gets no mail now.
    assert mails_to(app, world.editor) == []


def test_off_keeps_a_kind_in_the_inbox_without_mail(app, world, doc):
    choose(app, world.coordinator, mention="off")
    sign_in(app, world.stakeholder.email).post(f"/docs/{doc}/comments", data={"body": "@coord"})
    assert [kind for kind, _ in inbox_of(app, world.coordinator)] == ["mention"]
    assert mails_to(app, world.coordinator) == []


def test_the_daily_digest_comes_once_at_seven_local_time(app, world, doc):
    choose(app, world.coordinator, mention="daily")
    stakeholder = sign_in(app, world.stakeholder.email)
    stakeholder.post(f"/docs/{doc}/comments", data={"body": "@coord first"})
    sign_in(app, world.editor.email).post(f"/docs/{doc}/comments", data={"body": "@coord second"})
    assert mails_to(app, world.coordinator) == []

    def digest_at(moment: datetime) -> int:
        app.config["NOW"] = moment
        with app.app_context():
            return send_digests()

    assert digest_at(START + timedelta(minutes=59)) == 0  # 06:59 in Brussels
    digest_at(START + timedelta(hours=1))  # 07:00 in Brussels
    (digest,) = mails_to(app, world.coordinator)
    assert digest.kind == "notification_digest"
    assert "Stake mentioned you" in digest.text_body
    assert "Editor mentioned you" in digest.text_body
    assert digest.unsubscribe_url
    digest_at(START + timedelta(hours=2))
    assert len(mails_to(app, world.coordinator)) == 1  # not twice
    # Later that day: it waits for the next morning's digest, alone.
    app.config["NOW"] = START + timedelta(hours=4)
    stakeholder.post(f"/docs/{doc}/comments", data={"body": "@coord third"})
    digest_at(START + timedelta(hours=5))
    assert len(mails_to(app, world.coordinator)) == 1
    digest_at(START + timedelta(days=1, hours=1))
    later = mails_to(app, world.coordinator)[1]
    assert "third" in later.text_body and "first" not in later.text_body


def test_the_digest_leaves_out_a_text_deleted_since(app, world, doc):
    choose(app, world.coordinator, mention="daily")
    sign_in(app, world.stakeholder.email).post(
        f"/docs/{doc}/comments", data={"body": "@coord see the draft"}
    )
    assert sign_in(app, world.editor.email).post(f"/docs/{doc}/delete").status_code in (302, 303)
    app.config["NOW"] = START + timedelta(hours=1)  # 07:00 in Brussels
    with app.app_context():
        assert send_digests() == 0
    assert mails_to(app, world.coordinator) == []
    assert len(inbox_of(app, world.coordinator)) == 1  # still in the inbox
    # Opening it says why it leads nowhere, instead of a bare 404.
    coordinator = sign_in(app, world.coordinator.email)
    with app.app_context():
        (notice,) = db.session.scalars(
            select(Notification.id).where(Notification.user_id == world.coordinator.id)
        ).all()
    opened = coordinator.get(f"/inbox/{notice}")
    assert opened.status_code == 303 and opened.headers["Location"] == "/inbox"
    assert "has been deleted since" in coordinator.get("/inbox").text


def test_the_digest_follows_the_persons_time_zone_and_skips_what_was_read(app, world, doc):
    with app.app_context():
        db.session.get(User, world.coordinator.id).time_zone = "Europe/Vilnius"
        db.session.commit()
    choose(app, world.coordinator, mention="daily")
    stakeholder = sign_in(app, world.stakeholder.email)
    stakeholder.post(f"/docs/{doc}/comments", data={"body": "@coord read me"})
    coordinator = sign_in(app, world.coordinator.email)
    coordinator.post("/inbox/read-all")
    stakeholder.post(f"/docs/{doc}/comments", data={"body": "@coord unread"})
    app.config["NOW"] = START  # 07:00 in Vilnius, 06:00 in Brussels
    with app.app_context():
        assert send_digests() == 1
    (digest,) = mails_to(app, world.coordinator)
    assert "unread" in digest.text_body and "read me" not in digest.text_body


# ---------------------------------------------------------------- unsubscribing


@pytest.mark.parametrize("workspace_config", [{**CORE_CONFIG, "WTF_CSRF_ENABLED": True}])
def test_one_click_unsubscribe_works_without_session_or_form_token(app, world):
    def mention() -> None:
        with app.app_context():
            document = db.session.scalar(select(Document))
            notify(
                [db.session.get(User, world.coordinator.id)],
                "mention",
                "Ana mentioned you",
                f"/docs/{document.id}",
                target=document,
            )
            db.session.commit()

    with app.app_context():
        create("Notes", "text", None, db.session.get(User, world.editor.id))
    mention()
    (mail,) = mails_to(app, world.coordinator)
    link = mail.unsubscribe_url.removeprefix("http://localhost")
    anonymous = app.test_client()
    page = anonymous.get(link)
    assert page.status_code == 200 and "Someone mentions me" in page.text
    assert (
        anonymous.post(link[:-2] + "xx", data={"List-Unsubscribe": "One-Click"}).status_code == 400
    )
    response = anonymous.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "gets no more e-mail" in response.text
    mention()
    assert len(mails_to(app, world.coordinator)) == 1
    assert [kind for kind, _ in inbox_of(app, world.coordinator)] == ["mention", "mention"]


def test_preferences_refuse_an_unknown_delivery(app, world):
    client = sign_in(app, world.editor.email)
    response = client.post(
        "/account/notifications", data={"kind-mention": "hourly", "kind-comment": "off"}
    )
    assert response.status_code == 422
    assert "Choose e-mail at once, in the daily digest, or none." in response.text


# ---------------------------------------------------------------- the inbox


def test_the_inbox_counts_lists_and_marks_read(app, world, doc):
    stakeholder = sign_in(app, world.stakeholder.email)
    for word in ("first", "second", "third"):
        stakeholder.post(f"/docs/{doc}/comments", data={"body": f"@coord {word}"})
    coordinator = sign_in(app, world.coordinator.email)
    page = coordinator.get("/inbox").text
    assert unread_shown(page) == "3"
    assert page.index("@coord third") < page.index("@coord second") < page.index("@coord first")
    with app.app_context():
        first, second, _ = db.session.scalars(
            select(Notification.id)
            .where(Notification.user_id == world.coordinator.id)
            .order_by(Notification.id)
        ).all()
    response = coordinator.post(f"/inbox/{first}/read", headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    # The header's count follows, swapped out of band.
    assert 'id="inbox-count" hx-swap-oob="true"' in response.text
    assert unread_shown(response.text) == "2"
    opened = coordinator.get(f"/inbox/{second}")
    assert opened.status_code == 303 and opened.headers["Location"].startswith(f"/docs/{doc}#")
    assert unread_shown(coordinator.get("/").text) == "1"
    coordinator.post("/inbox/read-all")
    page = coordinator.get("/inbox").text
    assert unread_shown(page) is None and "Mark all read" not in page
    assert "badge-new" not in page


def test_the_inbox_pages_through_years_of_notifications(app, world):
    """120 notifications: 50 a page, newest first; marking one read on page 2 keeps
    the reader on page 2, and marking all read marks all, not just the page."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with app.app_context():
        db.session.add_all(
            Notification(
                user_id=world.editor.id,
                kind="mention",
                subject=f"Notice {n:03d}",
                url="/",
                created_at=start + timedelta(hours=n),
                delivery="off",
            )  # fmt: skip
            for n in range(120)
        )
        db.session.commit()
    editor = sign_in(app, world.editor.email)
    first = editor.get("/inbox").text
    assert first.count('class="notification unread"') == 50
    assert "Notice 119" in first and "Notice 070" in first and "Notice 069" not in first
    assert "Page 1 of 3" in first and 'href="/inbox?page=2" rel="next"' in first
    second = editor.get("/inbox?page=2").text
    assert "Notice 069" in second and "Notice 020" in second and "Notice 019" not in second
    assert 'href="/inbox?page=1" rel="prev"' in second
    with app.app_context():
        notice = db.session.scalar(
            select(Notification.id).where(Notification.subject == "Notice 050")
        )
    swapped = editor.post(f"/inbox/{notice}/read", data={"page": "2"}, headers=HTMX).text
    assert "Page 2 of 3" in swapped and "Notice 050" in swapped
    assert unread_shown(swapped) == "119"
    last = editor.get("/inbox?page=99").text  # past the end: the last page
    assert "Page 3 of 3" in last and last.count('class="notification unread"') == 20
    editor.post("/inbox/read-all", data={"page": "3"})
    assert unread_shown(editor.get("/inbox").text) is None


def test_the_empty_inbox_says_what_comes_there(app, world):
    page = sign_in(app, world.editor.email).get("/inbox").text
    assert "Nothing here yet." in page
    assert 'id="inbox-count"></span>' in page


def test_opening_goes_only_to_a_page_of_this_site(app, world):
    with app.app_context():
        rows = [
            Notification(
                user_id=world.editor.id,
                kind="mention",
                subject="x",
                url=url,
                created_at=START,
                delivery="off",
            )
            for url in ("https://evil.example/", "//evil.example/", "/\\evil.example")
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = [row.id for row in rows]
    editor = sign_in(app, world.editor.email)
    for notification_id in ids:
        assert editor.get(f"/inbox/{notification_id}").headers["Location"] == "/inbox"
    # Someone else's notification is not there for them.
    assert sign_in(app, world.coordinator.email).get(f"/inbox/{ids[0]}").status_code == 404
    with app.app_context(), pytest.raises(ValueError):
        notify([db.session.get(User, world.editor.id)], "mention", "x", "https://evil.example/")


# ---------------------------------------------------------------- the core's rules


def test_a_switched_off_module_sends_nothing_there(app, world):
    def flag(region_slug: str) -> list[Notification]:
        with app.app_context():
            region = db.session.scalar(select(Region).where(Region.slug == region_slug))
            people = db.session.scalars(select(User)).all()
            made = notify(people, "fixture.note_flagged", "A note is flagged", "/", region=region)
            db.session.commit()
            return [n.user_id for n in made]

    assert flag("burgos") == []
    switch_on(app, "burgos", "fixture")
    told = set(flag("burgos"))
    assert world.coordinator.id in told and world.stakeholder.id in told
    assert world.outsider.id not in told  # may not read Burgos
    assert flag("pannon") == []  # the fixture is off in Pannon


def test_inactive_people_and_the_actor_are_left_out(app, make, world):
    gone = make.user(
        "gone@example.org", memberships={world.burgos: MembershipRole.EDITOR}, active=False
    )
    with app.app_context():
        document = db.session.get(
            Document,
            new_document(sign_in(app, world.editor.email), "Notes", "x"),
        )
        people = [db.session.get(User, u.id) for u in (gone, world.editor, world.coordinator)]
        made = notify(people, "mention", "Hi", "/", target=document, actor=people[1])
        assert [n.user_id for n in made] == [world.coordinator.id]


@pytest.mark.parametrize("name", ["mention", "other.kind", "kinds.Flagged"])
def test_a_plugin_kind_must_be_named_after_its_plugin(tmp_path, monkeypatch, name):
    @hookimpl
    def notification_kinds():
        return [NotificationKind(name, "Mine")]

    module = ModuleType("kinds_plugin")
    module.PLUGIN = PluginInfo("kinds", "Kinds", "")
    module.notification_kinds = notification_kinds
    monkeypatch.setitem(sys.modules, "kinds_plugin", module)
    with pytest.raises(PluginError, match="named kinds.<what>"):
        make_app(tmp_path, EXTRA_PLUGINS=["kinds_plugin"])
