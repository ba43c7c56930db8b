"""Situation reports and policy recommendations: templates, the steps and who takes
them, the lock, the project's gathered recommendations, the progress report's
activities, hostile text, the migration and the demo."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from workspace.api import (
    Document,
    PartnerRole,
    db,
    periods,
    project_activities,
)
from workspace.testing import (
    CORPUS,
    DEMO_PASSWORD,
    HTMX,
    bare_app,
    load_demo,
    offending,
    sign_in,
    switch_on,
    with_panels,
    write_document,
)

from ..models import Paper, PaperStep

BASE = "/r/burgos/policy"


@pytest.fixture
def on(app, world):
    for slug in ("burgos", "pannon"):
        switch_on(app, slug, "policy")
        switch_on(app, slug, "action_plans")


@pytest.fixture
def adviser(make):
    """Staff of the advisory partner (AEBR), with no region of its own."""
    aebr = make.partner("AEBR", None, role=PartnerRole.ADVISORY, country="DE")
    return make.user("adviser@aebr.example", partner=aebr, name="Sabine Adviser")


def begin(client, kind="situation", title=None, base=BASE) -> int:
    data = {"kind": kind, "title": title or f"A {kind} paper"}
    response = client.post(f"{base}/new", data=data)
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def paper_row(app, paper_id) -> Paper:
    with app.app_context():
        paper = db.session.get(Paper, paper_id)
        db.session.expunge(paper)
        return paper


def version(app, paper_id) -> str:
    return str(paper_row(app, paper_id).version)


def step(client, app, paper_id, name, base=BASE, **data):
    data.setdefault("version", version(app, paper_id))
    return client.post(f"{base}/{paper_id}/{name}", data=data)


def text_of(app, paper_id) -> tuple[int, str]:
    with app.app_context():
        paper = db.session.get(Paper, paper_id)
        return paper.document_id, paper.document.body


# ---------------------------------------------------------------- templates


def test_a_paper_begins_from_its_template_and_once_per_kind(app, on, world, auth, client):
    auth.login(world.editor.email)
    assert "Begin from the template" in client.get(f"{BASE}/").text
    situation = begin(client, "situation", "Situation report: Castilla y León")
    page = client.get(f"{BASE}/{situation}").text
    for heading in (
        "Regional context",
        "The SME internationalisation ecosystem",
        "Policy instruments and support available",
        "Needs and gaps",
        "Conclusions",
    ):
        assert f">{heading}</h2>" in page
    _, body = text_of(app, situation)
    assert body.startswith("## Regional context\n\n*")
    recommendations = begin(client, "recommendations")
    _, body = text_of(app, recommendations)
    assert re.findall(r"^## (.+)$", body, re.M) == [
        "Summary of the analysis",
        "Recommendations for regional policy",
        "How they feed the action plan",
        "Recommendations for the next programming period",
    ]
    again = client.post(f"{BASE}/new", data={"kind": "situation", "title": "Another one"})
    assert again.status_code == 409
    assert "Castilla y León has its situation report already" in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Paper)) == 2
    listing = client.get(f"{BASE}/").text
    assert (
        "Situation report: Castilla y León" in listing and "Begin from the template" not in listing
    )


def test_a_paper_needs_a_title_and_a_writer(app, on, world, auth, client):
    auth.login(world.editor.email)
    refused = client.post(f"{BASE}/new", data={"kind": "situation", "title": ""})
    assert refused.status_code == 422 and "Give the paper a title." in refused.text
    for person in (world.stakeholder, world.other):
        other = sign_in(app, person.email)
        assert (
            other.post(f"{BASE}/new", data={"kind": "situation", "title": "X"}).status_code == 403
        )
        assert other.get(f"{BASE}/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Paper)) == 0


# ---------------------------------------------------------------- the steps


def test_the_steps_and_who_takes_them(app, on, world, auth, client, adviser):
    auth.login(world.editor.email)
    paper = begin(client, "recommendations", "Recommendations for Castilla y León")
    stakeholder = sign_in(app, world.stakeholder.email)
    coordinator = sign_in(app, world.coordinator.email)
    aebr = sign_in(app, adviser.email)

    assert step(stakeholder, app, paper, "send").status_code == 403
    assert step(aebr, app, paper, "review").status_code == 409  # not sent yet: out of turn
    assert step(client, app, paper, "send").status_code == 303
    assert paper_row(app, paper).state == "review"

    for person in (client, coordinator, stakeholder):
        assert step(person, app, paper, "review", remarks="Fine").status_code == 403
    reviewed = step(aebr, app, paper, "review", remarks="Clear; name the instrument in §2.")
    assert reviewed.status_code == 303
    assert paper_row(app, paper).state == "reviewed"

    endorsement = {"endorsed_by": "Stakeholder group of Castilla y León, 4th meeting"}
    for person in (client, aebr, stakeholder):
        refused = step(person, app, paper, "endorse", endorsed_on="2021-06-15", **endorsement)
        assert refused.status_code == 403
    done = step(coordinator, app, paper, "endorse", endorsed_on="15/06/2021", **endorsement)
    assert done.status_code == 303
    row = paper_row(app, paper)
    assert (row.state, row.endorsed_on) == ("endorsed", date(2021, 6, 15))

    page = client.get(f"{BASE}/{paper}").text
    assert "Endorsed" in page and "Stakeholder group of Castilla y León, 4th meeting" in page
    history = page[page.index('id="history"') :]
    for said in ("In review", "Reviewed by the advisory partner", "Sabine Adviser"):
        assert said in history
    assert "name the instrument in §2." in history
    assert "15 Jun 2021" in history


def test_an_admin_reviews_and_endorses(app, on, world, auth, client):
    auth.login(world.editor.email)
    paper = begin(client)
    step(client, app, paper, "send")
    admin = sign_in(app, world.admin.email)
    assert step(admin, app, paper, "review").status_code == 303
    endorsed = step(
        admin, app, paper, "endorse", endorsed_by="Stakeholder group", endorsed_on="2021-05-04"
    )
    assert endorsed.status_code == 303 and paper_row(app, paper).state == "endorsed"


def test_returning_to_draft_needs_remarks(app, on, world, auth, client, adviser):
    auth.login(world.editor.email)
    paper = begin(client)
    step(client, app, paper, "send")
    aebr = sign_in(app, adviser.email)
    coordinator = sign_in(app, world.coordinator.email)
    # In review, the advisory partner sends it back, not the region's coordinator.
    assert step(coordinator, app, paper, "return", remarks="Not yet").status_code == 403
    refused = step(aebr, app, paper, "return", remarks="  ")
    assert refused.status_code == 422
    assert "the remarks are required" in refused.text
    assert paper_row(app, paper).state == "review"
    returned = step(aebr, app, paper, "return", remarks="Add the regional export figures.")
    assert returned.status_code == 303 and paper_row(app, paper).state == "draft"
    assert "Add the regional export figures." in client.get(f"{BASE}/{paper}").text
    # Once reviewed, the region's coordinator may re-open it too.
    step(client, app, paper, "send")
    step(aebr, app, paper, "review")
    assert step(coordinator, app, paper, "return", remarks="A new meeting").status_code == 303


def test_a_stale_page_is_told(app, on, world, auth, client):
    auth.login(world.editor.email)
    paper = begin(client)
    old = version(app, paper)
    assert step(client, app, paper, "send", version=old).status_code == 303
    admin = sign_in(app, world.admin.email)
    stale = step(admin, app, paper, "return", version=old, remarks="Change it")
    assert stale.status_code == 409
    assert "Someone else changed this paper a moment ago" in stale.text
    assert paper_row(app, paper).state == "review"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2021", "is not a day of the calendar"),
        ("next tuesday", "is not a date we can read"),
        ("2030-01-15", "cannot be in the future"),
        ("", "Give the day the stakeholder group endorsed it."),
    ],
)
def test_the_endorsement_date_is_checked(app, on, world, auth, client, typed, message):
    auth.login(world.editor.email)
    paper = begin(client)
    step(client, app, paper, "send")
    admin = sign_in(app, world.admin.email)
    step(admin, app, paper, "review")
    coordinator = sign_in(app, world.coordinator.email)
    refused = step(
        coordinator, app, paper, "endorse", endorsed_by="Stakeholder group", endorsed_on=typed
    )
    assert refused.status_code == 422
    assert message in refused.text
    assert f'value="{typed}"' in refused.text
    assert 'value="Stakeholder group"' in refused.text
    row = paper_row(app, paper)
    assert (row.state, row.endorsed_on) == ("reviewed", None)


def test_the_text_is_locked_from_review_on(app, on, world, auth, client):
    auth.login(world.editor.email)
    paper = begin(client)
    document_id, body = text_of(app, paper)
    with app.app_context():
        head = db.session.get(Document, document_id).head
    step(client, app, paper, "send")
    assert "Write</a>" not in client.get(f"{BASE}/{paper}").text
    refused = client.post(
        f"/docs/{document_id}/edit",
        data={"title": "A situation paper", "body": body + "\nMore.", "base": head},
    )
    assert refused.status_code == 409
    assert "in review with the advisory partner" in refused.text
    assert "More." in refused.text
    assert text_of(app, paper)[1] == body
    admin = sign_in(app, world.admin.email)
    step(admin, app, paper, "return", remarks="Go on")
    saved = client.post(
        f"/docs/{document_id}/edit",
        data={"title": "A situation paper", "body": body + "\nMore.", "base": head},
    )
    assert saved.status_code == 303
    assert text_of(app, paper)[1].endswith("More.")


# ---------------------------------------------------------------- the project


def test_the_project_paper_gathers_each_regions_recommendations(app, on, world, auth, client):
    auth.login(world.admin.email)
    texts = {
        "burgos": "Keep export vouchers open to *micro* firms.",
        "pannon": "Fund cross-border supplier days with Croatia.",
    }
    ids = {}
    for slug, sentence in texts.items():
        ids[slug] = begin(client, "recommendations", base=f"/r/{slug}/policy")
        document_id, body = text_of(app, ids[slug])
        body = body.replace(
            "*What the region asks of the next EU programming period.*", sentence
        ).replace("*What the policy instrument", "Hidden elsewhere. *What the policy instrument")
        write_document(app, document_id, body)
    project = begin(client, "next_period", "Recommendations for 2021-2027", base="/p/policy")
    page = client.get(f"/p/policy/{project}").text
    gathered = page[page.index('id="gathered"') :]
    assert "Keep export vouchers open to <em>micro</em> firms." in gathered
    assert "Fund cross-border supplier days with Croatia." in gathered
    assert "Hidden elsewhere" not in gathered
    assert f'href="/r/burgos/policy/{ids["burgos"]}"' in gathered
    assert f'href="/r/pannon/policy/{ids["pannon"]}"' in gathered
    assert "Castilla y León" in gathered and "Dél-Dunántúl" in gathered
    assert "Recommendations for 2021-2027" in page  # the project paper's own text beside
    # A region where the module is off is left out.
    switch_on(app, "pannon", "policy", enabled=False)
    assert "Fund cross-border" not in client.get(f"/p/policy/{project}").text
    grid = client.get("/p/policy/").text
    assert "Castilla y León" in grid and "Recommendations for 2021-2027" in grid


def test_the_project_pages_are_for_partner_staff(app, on, world, auth, client):
    auth.login(world.stakeholder.email)
    assert client.get("/p/policy/").status_code == 403
    editor = sign_in(app, world.editor.email)
    assert editor.get("/p/policy/").status_code == 200
    project = begin(editor, "next_period", base="/p/policy")
    assert client.get(f"/p/policy/{project}").status_code == 403
    # The project's endorsement is the lead partner's coordinators' to record.
    admin = sign_in(app, world.admin.email)
    step(editor, app, project, "send", base="/p/policy")
    step(admin, app, project, "review", base="/p/policy")
    coordinator = sign_in(app, world.coordinator.email)
    data = {"endorsed_by": "Steering committee", "endorsed_on": "2022-02-01"}
    assert step(coordinator, app, project, "endorse", base="/p/policy", **data).status_code == 403
    assert step(admin, app, project, "endorse", base="/p/policy", **data).status_code == 303


# ---------------------------------------------------------------- the plans it feeds


def test_a_paper_names_the_action_plans_it_feeds(app, on, world, auth, client):
    auth.login(world.editor.email)
    plan = client.post(
        "/r/burgos/action_plans/new",
        data={
            "instrument_name": "ROP Castilla y León, priority 3",
            "instrument_kind": "igj",
            "other_partners": "",
            "contact": "Lucía Pérez, plans@example.org",
            "language": "Spanish",
        },
    )
    assert plan.status_code == 303
    plan_id = int(plan.headers["Location"].rsplit("/", 1)[1])
    action = client.post(
        f"/r/burgos/action_plans/{plan_id}/actions", data={"title": "Export vouchers"}
    )
    assert action.status_code == 303
    paper = begin(client, "recommendations")
    found = client.get(f"{BASE}/{paper}/plans?q=vouchers", headers=HTMX)
    assert found.status_code == 200 and "Export vouchers" in found.text
    ref = re.search(r'value="(action_plans:[^"]+)"', found.text).group(1)
    refused = client.post(f"{BASE}/{paper}/plans", data={"target": "doc:1"}, headers=HTMX)
    assert refused.status_code == 422
    added = client.post(f"{BASE}/{paper}/plans", data={"target": ref}, headers=HTMX)
    assert added.status_code == 200 and "Export vouchers" in added.text
    page = client.get(f"{BASE}/{paper}").text
    assert "Export vouchers" in page[page.index('id="plans"') :]
    # The core's document page shows the same link.
    document_id, _ = text_of(app, paper)
    assert "Export vouchers" in client.get(f"/docs/{document_id}").text
    stakeholder = sign_in(app, world.stakeholder.email)
    assert stakeholder.post(f"{BASE}/{paper}/plans", data={"target": ref}).status_code == 403


# ---------------------------------------------------------------- the progress report


def _period(number):
    return next(p for p in periods() if p.number == number)


def test_project_activities_list_reviews_and_endorsements_by_period(app, on, world, auth, client):
    auth.login(world.editor.email)
    paper = begin(client, "situation", "Situation report: Castilla y León")
    step(client, app, paper, "send")
    admin = sign_in(app, world.admin.email)
    step(admin, app, paper, "review")
    step(admin, app, paper, "endorse", endorsed_by="Stakeholder group", endorsed_on="2021-06-15")
    with app.test_request_context():
        reader = db.session.get(type(world.admin), world.admin.id)
        endorsed_in = _period(4)  # February to July 2021
        reviewed_in = next(p for p in periods() if p.contains(date(2022, 3, 1)))
        endorsed = project_activities(endorsed_in, reader)
        reviewed = project_activities(reviewed_in, reader)
        before = project_activities(_period(1), reader)
    assert [(i.section, i.title, i.day) for i in endorsed] == [
        (
            "Situation reports and recommendations",
            "Situation report: Castilla y León",
            date(2021, 6, 15),
        )
    ]
    assert endorsed[0].url == f"/r/burgos/policy/{paper}"
    assert "Castilla y León" in endorsed[0].detail and "Stakeholder group" in endorsed[0].detail
    assert [i.day for i in reviewed] == [date(2022, 3, 1)]
    assert "reviewed by" in reviewed[0].detail
    assert before == []
    switch_on(app, "burgos", "policy", enabled=False)
    with app.test_request_context():
        reader = db.session.get(type(world.admin), world.admin.id)
        assert project_activities(_period(4), reader) == []


# ---------------------------------------------------------------- hostile text


STYLESHEET = '<link rel="stylesheet" href="/static/plugins/policy/policy.css">'


def shown(page: str) -> str:
    """What the page shows of the papers: its main part, without the layout's message
    area and the plugin's own style sheet (the tags the page always has there)."""
    if 'id="main"' in page:
        page = re.split(r'id="main"[^>]*>', page, maxsplit=1)[1].split("</main>", 1)[0]
    area = r'<div (id="messages"|hx-swap-oob="innerHTML:#messages")[^>]*>'
    return re.sub(area, "", page.replace(STYLESHEET, ""))


@pytest.mark.parametrize("hostile", CORPUS)
def test_hostile_titles_remarks_and_endorsers_are_inert(
    app, on, world, auth, client, make, hostile
):
    auth.login(world.admin.email)
    paper = begin(client, "situation", hostile[:200])
    step(client, app, paper, "send")
    step(client, app, paper, "return", remarks=hostile)
    step(client, app, paper, "send")
    step(client, app, paper, "review", remarks=hostile)
    step(client, app, paper, "endorse", endorsed_by=hostile[:300], endorsed_on="2021-06-15")
    assert paper_row(app, paper).state == "endorsed"
    project = begin(client, "next_period", hostile[:200], base="/p/policy")
    # Readers with no step to take and nothing to write: the pages hold no form of theirs.
    stakeholder = sign_in(app, world.stakeholder.email)
    staff = make.user("reader@example.org", partner=db_partner(app, world.admin))
    reader = sign_in(app, staff.email)
    pages = [
        stakeholder.get(f"{BASE}/{paper}").text,
        stakeholder.get(f"{BASE}/").text,
        stakeholder.get("/r/burgos/panels/policy", headers=HTMX).text,
        reader.get("/p/policy/").text,
        reader.get(f"/p/policy/{project}").text,
    ]
    for page in pages:
        assert hostile.strip()[:60] in html.unescape(page) or not hostile.strip()
        assert offending(shown(page)) == []


def db_partner(app, user):
    with app.app_context():
        return db.session.get(type(user), user.id).partner


# ---------------------------------------------------------------- dashboard


def test_advisory_staff_see_the_papers_awaiting_review(app, on, world, auth, client, adviser):
    auth.login(world.editor.email)
    paper = begin(client, "situation", "Situation report: Castilla y León")
    step(client, app, paper, "send")
    aebr = sign_in(app, adviser.email)
    panel = with_panels(aebr, "/")
    assert "Policy papers awaiting review" in panel
    assert f"/r/burgos/policy/{paper}" in panel
    assert "Policy papers awaiting review" not in with_panels(client, "/")
    assert "In review" in with_panels(client, "/r/burgos/")


# ---------------------------------------------------------------- migration and demo


def test_the_migrations_create_the_tables(tmp_path, workspace_config):
    app = bare_app(tmp_path, **workspace_config)
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "heads"])
    assert result.exit_code == 0, result.output
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "policy@base"])
    assert result.exit_code == 0, result.output


def test_the_demo_loads_twice_without_duplicates(app):
    load_demo(app)
    with app.app_context():
        first = db.session.execute(select(Paper.region_id, Paper.kind, Paper.state)).all()
        steps = db.session.scalar(select(func.count()).select_from(PaperStep))
    load_demo(app)
    with app.app_context():
        again = db.session.execute(select(Paper.region_id, Paper.kind, Paper.state)).all()
        assert db.session.scalar(select(func.count()).select_from(PaperStep)) == steps
    assert sorted(first, key=str) == sorted(again, key=str)
    assert len(first) == 11
    states = [state for region, _, state in first if region is not None]
    assert states == ["endorsed"] * 10
    assert [state for region, _, state in first if region is None][0] in ("review", "reviewed")


def test_the_demo_papers_are_shown(app):
    load_demo(app)
    client = sign_in(app, "coordinator@aebr.example", DEMO_PASSWORD)
    page = client.get("/p/policy/").text
    assert page.count("Endorsed") >= 10
    with app.app_context():
        project = db.session.scalar(select(Paper.id).where(Paper.region_id.is_(None)))
        burgos = db.session.scalar(
            select(Paper.id).where(
                Paper.kind == "recommendations", Paper.title.endswith("Castilla y León")
            )
        )
    gathered = client.get(f"/p/policy/{project}").text
    for region in ("pannon", "lombardy", "podkarpackie", "burgos", "klaipeda"):
        assert f'href="/r/{region}/policy/' in gathered
    assert "Reserve part of SME support for rural areas." in gathered
    page = client.get(f"/r/burgos/policy/{burgos}").text
    assert "Science and business meetings in the province" in page.split('id="plans"', 1)[1]
