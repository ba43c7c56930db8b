"""Numbers from URLs, query strings and hidden fields never give a 500.

A number too big for the database (2**63 overflows SQLite's driver, PostgreSQL's
INTEGER ends at 2**31-1), a negative one, "1e3" or digits of another script ("١٢")
is a 404 in a path, is ignored (or names nothing) in a query string, and is a form
error in a form: never a 500, and never read as another number.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.routing.converters import NumberConverter

from plugins.action_plans.models import Plan, PlanAction
from plugins.budget.models import Expenditure, PartnerPlan
from plugins.minutes.models import Meeting, Outcome
from plugins.portfolio.models import Analysis, Practice
from tests.conftest import HTMX
from workspace import demo as core_demo
from workspace.converters import MAX_ID, db_int
from workspace.extensions import db
from workspace.models import Attachment, Comment, Document, Link, Membership, Partner, Region
from workspace.plugins import host
from workspace.testing import DEMO_PASSWORD

BUILT_IN = ("minutes", "portfolio", "action_plans", "budget")
HUGE = (2**63, 10**20)
# Query-string values that are no number the database holds, or not ASCII digits.
NOT_NUMBERS = (str(2**63), str(10**20), "-1", "1e3", "١٢")
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def switch_on_everything(app) -> None:
    with app.app_context():
        for region in db.session.scalars(select(Region)):
            for plugin in BUILT_IN:
                host().set_enabled(region, plugin, True, None)
        db.session.commit()


# ---------------------------------------------------------------- db_int


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("7", 7), ("007", 7), (str(MAX_ID), MAX_ID), (42, 42)],
)
def test_db_int_reads_whole_numbers_the_database_holds(text, number):
    assert db_int(text) == number


@pytest.mark.parametrize(
    "text",
    ["", " 7", "7 ", "+7", "-1", "1e3", "1_000", "1.0", "١٢", "²", "７", str(MAX_ID + 1)]
    + [str(n) for n in HUGE]
    + ["9" * 5000, MAX_ID + 1, -1, True, None],
)
def test_db_int_refuses_everything_else(text):
    with pytest.raises(ValueError):
        db_int(text)


# ---------------------------------------------------------------- paths


@pytest.fixture
def demo(app, client, auth, world):
    """The InterVentures demo on top of the test world, every module on everywhere,
    one comment, and the test world's admin signed in."""
    with app.app_context():
        core_demo.load(DEMO_PASSWORD)
    switch_on_everything(app)
    auth.login(world.admin.email)
    document_id = _created(
        client.post("/docs/new", data={"title": "Notes", "body": "One.", "region_id": "0"})
    )
    client.post(f"/docs/{document_id}/edit", data={"title": "Notes", "body": "Two.", "base": "1"})
    response = client.post(f"/docs/{document_id}/comments", data={"body": "A real comment"})
    assert response.status_code < 400, response.text
    with app.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
    response = client.post(f"/links/doc/{document_id}", data={"target": meeting.ref})
    assert response.status_code == 200, response.text
    return world


def _first(statement):
    return db.session.scalars(statement.limit(1)).first()


def real_scenes(world) -> dict[str, dict]:
    """Real values for the arguments of each part's routes, so that only the number
    under test can be wrong: the region is right, the other objects exist."""
    burgos = db.session.scalar(select(Region).where(Region.slug == "burgos"))
    comment = _first(select(Comment).order_by(Comment.id))
    document = db.session.get(Document, comment.document_id)
    core = {
        "region": burgos.slug,
        "document_id": document.id,
        "number": 1,  # the document has two revisions
        "comment_id": comment.id,
        "attachment_id": getattr(_first(select(Attachment)), "id", 1),
        "link_id": getattr(_first(select(Link).where(Link.source == document.ref)), "id", 1),
        "membership_id": _first(select(Membership).where(Membership.region_id == burgos.id)).id,
        "user_id": world.editor.id,
        "partner_id": _first(select(Partner).order_by(Partner.id)).id,
        "region_id": burgos.id,
    }
    scenes = {"core": core}
    for scope, in_region in (("minutes_region", True), ("minutes_project", False)):
        where = Meeting.region_id.is_not(None) if in_region else Meeting.region_id.is_(None)
        outcome = _first(select(Outcome).join(Outcome.meeting).where(where).order_by(Outcome.id))
        meeting = outcome.meeting if outcome else _first(select(Meeting).where(where))
        assert meeting is not None, f"the demo has no meeting for {scope}"
        scenes[scope] = {
            "region": meeting.region.slug if meeting.region else burgos.slug,
            "meeting_id": meeting.id,
            "item_id": meeting.agenda[0].id if meeting.agenda else 1,
            "outcome_id": outcome.id if outcome else 1,
            "participant_id": meeting.participants[0].id if meeting.participants else 1,
        }
    practice = _first(select(Practice).order_by(Practice.id))
    presented = _first(select(Link).where(Link.source == practice.ref))
    scenes["portfolio"] = {
        "region": practice.region.slug,
        "practice_id": practice.id,
        "link_id": presented.id if presented else 1,
        "analysis_id": getattr(_first(select(Analysis)), "id", 1),
    }
    action = _first(select(PlanAction).order_by(PlanAction.id))
    inspired = _first(select(Link).where(Link.source == action.ref))
    scenes["action_plans"] = {
        "region": action.plan.region.slug,
        "plan_id": action.plan_id,
        "action_id": action.id,
        "link_id": inspired.id if inspired else 1,
    }
    line = _first(select(Expenditure).order_by(Expenditure.id))
    scenes["budget"] = {"partner_id": line.partner_id, "line_id": line.id, "kind": "expenditure"}
    return scenes


def scene_of(rule: str) -> str:
    for part in ("portfolio", "action_plans", "budget"):
        if rule.startswith((f"/r/<slug:region>/{part}/", f"/p/{part}/")):
            return part
    if rule.startswith("/r/<slug:region>/minutes/"):
        return "minutes_region"
    if rule.startswith("/p/minutes/"):
        return "minutes_project"
    return "core"


def integer_arguments(rule) -> list[str]:
    """The arguments of ``rule`` that werkzeug reads as a number (int, id, or any
    converter a plugin brings that is one)."""
    return [
        name
        for _, name in ARGUMENT.findall(rule.rule)
        if isinstance(rule._converters[name], NumberConverter)
    ]


def fill(rule: str, values: dict) -> str:
    return ARGUMENT.sub(lambda m: str(values[m.group(2)]), rule)


def test_every_integer_in_every_path_is_bounded(app, client, demo):
    """Every route with a number in its path, with 2**63 and 10**20 in each number
    (and in all of them at once), the rest real: refused at routing, never a 500."""
    with app.app_context():
        scenes = real_scenes(demo)
    rules = [rule for rule in app.url_map.iter_rules() if integer_arguments(rule)]
    # The walk covers the core and every built-in module, through both converters.
    assert len(rules) > 60
    for prefix in ("/docs/", "/r/<slug:region>/minutes/", "/p/minutes/", "/p/budget/"):
        assert any(rule.rule.startswith(prefix) for rule in rules), prefix
    for part in ("portfolio", "action_plans"):
        assert any(scene_of(rule.rule) == part for rule in rules), part
    failures, tried = [], 0
    for rule in rules:
        real = scenes[scene_of(rule.rule)]
        names = integer_arguments(rule)
        for huge in HUGE:
            cases = [{name: huge} for name in names]
            if len(names) > 1:
                cases.append(dict.fromkeys(names, huge))
            for case in cases:
                values = {m[1]: real.get(m[1], 1) for m in ARGUMENT.findall(rule.rule)}
                url = fill(rule.rule, {**values, **case})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    tried += 1
                    response = client.open(
                        url, method=method, data={} if method == "POST" else None
                    )
                    # Refused at routing. A POST to an address that also has a GET rule
                    # is a 405: werkzeug checks the method before it reads the number.
                    if response.status_code not in (404, 405):
                        failures.append(f"{method} {url}: {response.status_code}")
    assert tried > 300
    assert failures == []


def test_the_real_values_of_the_walk_are_real(app, client, demo):
    """The walk's other arguments open real pages: the 404s come from the numbers."""
    with app.app_context():
        scenes = real_scenes(demo)
    pages = {
        "/r/<slug:region>/minutes/meetings/<int:meeting_id>": "minutes_region",
        "/p/minutes/meetings/<int:meeting_id>": "minutes_project",
        "/r/<slug:region>/portfolio/<id:practice_id>": "portfolio",
        "/r/<slug:region>/action_plans/<id:plan_id>": "action_plans",
        "/p/budget/partners/<int:partner_id>": "budget",
        "/docs/<id:document_id>/diff": "core",
    }
    for rule, scene in pages.items():
        url = fill(rule, scenes[scene])
        assert client.get(url).status_code == 200, url


def test_digits_of_another_script_in_a_path_are_not_a_number(app, client, demo):
    """/meetings/١٢ is not meeting 12 (werkzeug's \\d and int() would say it is)."""
    with app.app_context():
        scene = real_scenes(demo)["minutes_region"]
    arabic = "".join(chr(0x0660 + int(d)) for d in str(scene["meeting_id"]))
    base = f"/r/{scene['region']}/minutes/meetings/"
    assert client.get(f"{base}{scene['meeting_id']}").status_code == 200
    assert client.get(f"{base}{arabic}").status_code == 404


# ---------------------------------------------------------------- query strings


def query_parameters(scenes) -> list[tuple[str, str]]:
    """Every integer the code reads from a query string: (address, parameter)."""
    core = scenes["core"]
    document = f"/docs/{core['document_id']}"
    return [
        ("/activity", "before"),
        (f"/r/{core['region']}/activity", "before"),
        (f"{document}/activity", "before"),
        ("/admin/audit", "before"),
        ("/docs/", "author"),
        (f"{document}/diff", "from"),
        (f"{document}/diff", "to"),
        ("/p/portfolio/matrix", "minimum"),
        ("/p/portfolio/matrix.csv", "minimum"),
    ]


def test_no_integer_query_parameter_gives_a_500(app, client, demo):
    with app.app_context():
        scenes = real_scenes(demo)
    failures = []
    for path, name in query_parameters(scenes):
        assert client.get(path).status_code == 200, path
        for value in NOT_NUMBERS:
            response = client.get(path, query_string={name: value})
            # A revision number names a revision: none has this one. A filter or a
            # page marker that is no number is left out.
            expected = 404 if path.endswith("/diff") else 200
            if response.status_code != expected:
                failures.append(f"{path}?{name}={value}: {response.status_code}")
    assert failures == []


def test_a_diff_is_never_of_another_revision_than_asked(app, client, demo):
    """?from=١ is not revision 1: "١" is no revision number."""
    with app.app_context():
        document_id = real_scenes(demo)["core"]["document_id"]
    assert client.get(f"/docs/{document_id}/diff", query_string={"from": "1"}).status_code == 200
    assert client.get(f"/docs/{document_id}/diff", query_string={"from": "١"}).status_code == 404


# ---------------------------------------------------------------- hidden fields


class FormFields(HTMLParser):
    """The fields of a page's POST forms, as a browser submits them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: list[str] | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "form":
            self._fields = [] if (a.get("method") or "").lower() == "post" else None
            if self._fields is not None:
                self.forms.append(self._fields)
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)

    def handle_data(self, data) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag) -> None:
        if self._fields is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or [self._select["first"] or ""]
            self._fields += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "form":
            self._fields = None


def form_with(page: str, field: str) -> dict[str, list[str]]:
    """The POST form of ``page`` that carries ``field``, filled as the page shows it."""
    parser = FormFields()
    parser.feed(page)
    for fields in parser.forms:
        if any(name == field for name, _ in fields):
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form with {field!r} on the page")


@pytest.fixture
def modules(app, world, client, auth):
    switch_on_everything(app)
    auth.login(world.admin.email)
    return world


def _created(response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def document_case(app, client, world):
    document_id = _created(
        client.post("/docs/new", data={"title": "Notes", "body": "First.", "region_id": "0"})
    )

    def state():
        with app.app_context():
            d = db.session.get(Document, document_id)
            return (d.head, d.title, d.body)

    return f"/docs/{document_id}/edit", "base", {"body": "Second."}, state


def meeting_case(app, client, world):
    from plugins.minutes.tests.test_minutes_meetings import MEETING

    meeting_id = _created(client.post("/r/burgos/minutes/new", data=MEETING))

    def state():
        with app.app_context():
            m = db.session.get(Meeting, meeting_id)
            return (m.version, m.title)

    url = f"/r/burgos/minutes/meetings/{meeting_id}/edit"
    return url, "version", {"title": "Renamed meeting"}, state


def practice_case(app, client, world):
    from plugins.portfolio.tests.test_portfolio import FIELDS

    practice_id = _created(client.post("/r/burgos/portfolio/new", data=FIELDS))

    def state():
        with app.app_context():
            p = db.session.get(Practice, practice_id)
            return (p.version, p.title)

    return f"/r/burgos/portfolio/{practice_id}/edit", "version", {"title": "Renamed"}, state


def plan_case(app, client, world):
    from plugins.action_plans.tests.test_action_plans import PLAN

    plan_id = _created(client.post("/r/burgos/action_plans/new", data=PLAN))

    def state():
        with app.app_context():
            p = db.session.get(Plan, plan_id)
            return (p.version, p.instrument_name)

    url = f"/r/burgos/action_plans/{plan_id}/edit"
    return url, "version", {"instrument_name": "Another instrument"}, state


def budget_case(app, client, world):
    with app.app_context():
        partner_id = db.session.scalar(
            select(Partner.id).where(Partner.short_name == "CEEI-Burgos")
        )

    def state():
        with app.app_context():
            plan = db.session.get(PartnerPlan, partner_id)
            return None if plan is None else plan.version

    url = f"/p/budget/partners/{partner_id}/plan"
    return url, "version", {}, state


@pytest.mark.parametrize(
    "case", [document_case, meeting_case, practice_case, plan_case, budget_case]
)
def test_a_version_out_of_range_is_refused_and_changes_nothing(app, client, modules, case):
    """An edit form whose hidden base revision or record version is 2**63 (or 10**20,
    "١", -1) answers 4xx and leaves the record as it was; the same form with the
    version the page gave saves (so it is the version that was refused)."""
    url, field, change, state = case(app, client, modules)
    page = client.get(url)
    assert page.status_code == 200, page.text
    data = {**form_with(page.text, field), **change}
    before = state()
    for bad in (str(2**63), str(10**20), "١", "-1"):
        response = client.post(url, data={**data, field: bad})
        assert 400 <= response.status_code < 500, (bad, response.status_code)
        assert "could not coerce" not in response.text
        assert state() == before
    assert client.post(url, data=data).status_code == 303
    assert state() != before


def test_a_damaged_base_revision_says_what_to_do(app, client, modules):
    document_url, field, _, state = document_case(app, client, modules)
    data = form_with(client.get(document_url).text, field)
    response = client.post(document_url, data={**data, "body": "Mine.", field: str(2**63)})
    assert response.status_code == 422
    assert "reload the page" in response.text
    assert "Mine." in response.text  # the user's text is kept in the form
    assert state()[2] == "First."


def test_a_meeting_status_change_with_a_huge_version_changes_nothing(app, client, modules):
    from plugins.minutes.tests.test_minutes_meetings import MEETING

    meeting_id = _created(client.post("/r/burgos/minutes/new", data=MEETING))
    url = f"/r/burgos/minutes/meetings/{meeting_id}/status"

    def state():
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            return (meeting.status.value, meeting.version)

    before = state()
    for bad in (str(2**63), "١"):
        response = client.post(url, data={"to": "open", "version": bad}, headers=HTMX)
        assert 400 <= response.status_code < 500
    assert state() == before
    assert client.post(url, data={"to": "open", "version": str(before[1])}).status_code == 303
    assert state()[0] == "open"


@pytest.mark.parametrize("target", ["doc:" + str(2**63), "doc:١", "minutes:meeting:" + str(10**20)])
def test_a_link_target_with_a_huge_number_is_refused(app, client, modules, target):
    document_url, *_ = document_case(app, client, modules)
    document_id = document_url.split("/")[2]
    response = client.post(f"/links/doc/{document_id}", data={"target": target}, headers=HTMX)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Link).where(Link.target == target)) is None
