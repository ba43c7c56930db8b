"""A plan's language: its files carry the template's headings in it (the plan is
endorsed in its region's language), the rest in the reader's."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from plugins.action_plans import exports
from plugins.action_plans.models import country_language, language_code
from workspace.testing import switch_on

from .test_action_plans import BASE, add_action, create, template_words

PART_I = "Part I – General information"
italian = template_words("it")


@pytest.fixture
def plans(app, world):
    switch_on(app, "burgos", "action_plans")
    return world


def docx_text(response) -> str:
    document = Docx(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    return text + "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)


def pdf_text(response) -> str:
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Italian", "it"),
        ("italiano", "it"),
        ("włoski", "it"),
        ("it", "it"),
        ("Spanish, with an English summary", "es"),
        ("Lietuvių", "lt"),
        ("Hungarian", "hu"),
        ("English", "en"),
        ("Klingon", None),
        ("", None),
    ],
)
def test_a_plans_language_is_read_from_what_its_form_says(written, code):
    assert language_code(written) == code


def test_a_country_gives_its_language():
    assert [country_language(c) for c in ("IT", "es", "LT", "PL", "HU", "FR", "")] == [
        "it", "es", "lt", "pl", "hu", None, None,
    ]  # fmt: skip


def test_the_files_headings_are_written_in_the_plans_language(
    app, client, auth, plans, monkeypatch
):
    """Whatever the catalogs hold: the headings are made in the plan's language, the
    rest of the file in the reader's."""
    entered = []

    @contextmanager
    def recorded(code):
        entered.append(code)
        yield

    monkeypatch.setattr(exports, "in_language", recorded)
    auth.login(plans.editor.email)
    italian_plan = create(client, language="Italiano")
    unknown = create(client, language="Aranese")  # Burgos is in Spain
    for plan_id in (italian_plan, unknown):
        assert client.get(f"{BASE}/{plan_id}/plan.docx").status_code == 200
        assert client.get(f"{BASE}/{plan_id}/plan.pdf").status_code == 200
    assert entered == ["it", "it", "es", "es"]


@pytest.mark.skipif(
    italian(PART_I) == PART_I,
    reason="the plugin's compiled Italian catalog does not translate “Part I – General "
    "information” yet",
)
def test_an_export_of_a_plan_in_italian_has_the_italian_headings(app, client, auth, plans):
    auth.login(plans.editor.email)
    plan_id = create(client, language="Italian")
    add_action(client, plan_id)
    docx = docx_text(client.get(f"{BASE}/{plan_id}/plan.docx"))
    assert italian(PART_I) in docx and PART_I not in docx
    # The rest stays in the reader's language (English here).
    assert "Inspired by" in docx and "Nothing linked in the workspace." in docx
    pdf = pdf_text(client.get(f"{BASE}/{plan_id}/plan.pdf"))
    assert " ".join(italian(PART_I).split()) in pdf and PART_I not in pdf
    # The plan's page is the reader's: English.
    assert PART_I in client.get(f"{BASE}/{plan_id}").text
