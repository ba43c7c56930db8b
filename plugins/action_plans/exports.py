"""The plan's files: DOCX laid out as the Interreg Europe template, and PDF, both on
A4 with the same margins, both naming the region's NUTS 2 code and what inspired each
action."""

from __future__ import annotations

import io
from urllib.parse import urljoin

from babel import Locale
from flask import current_app, has_request_context, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workspace.api import (
    UNAVAILABLE,
    format_day,
    format_number,
    html_to_pdf,
    in_language,
    render_markup,
)

from .models import Plan, PlanAction
from .plans import action_texts, inspired_by

# The page of both files: A4, and the PDF's margins (plan_pdf.html's @page).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}

# The template's six fields of an action (Part III), by the key the code knows them by
# (the first three are also the sections of the action's text), with their headings.
TEMPLATE_FIELDS = [
    "Background",
    "Action",
    "Players involved",
    "Timeframe",
    "Costs",
    "Funding sources",
]
FIELD_HEADINGS = {
    "Background": _l("Background"),
    "Action": _l("Action"),
    "Players involved": _l("Players involved"),
    "Timeframe": _l("Timeframe"),
    "Costs": _l("Costs"),
    "Funding sources": _l("Funding sources"),
}
# Part I's rows, by key, with their headings.
GENERAL_HEADINGS = {
    "project": _l("Project"),
    "partner": _l("Partner organisation"),
    "others": _l("Other partners involved"),
    "country": _l("Country"),
    "nuts2": _l("NUTS 2 region"),
    "contact": _l("Contact person"),
    "language": _l("Language of the plan"),
    "status": _l("Status"),
    "endorsed": _l("Endorsed"),
}


def headings(plan: Plan) -> dict:
    """The template's own words in the files, in the plan's language (the plan is
    endorsed in its region's language): its title, the headings of Parts I-III, Part
    I's row names, Part II's two sentences, each action's heading and the six fields'.
    The rest of a file (what the workspace adds: notes, states, what inspired an
    action) is in the reader's language."""
    with in_language(plan.language_code):
        return {
            "title": plan.title,
            "part_1": _("Part I – General information"),
            "part_2": _("Part II – Policy context"),
            "part_3": _("Part III – Details of the actions envisaged"),
            "aims": _("The action plan aims to impact: %(kind)s", kind=plan.kind_label),
            "instrument": _(
                "Name of the policy instrument addressed: %(name)s", name=plan.instrument_name
            ),
            "summary": _("English summary"),
            "general": {key: str(label) for key, label in GENERAL_HEADINGS.items()},
            "fields": {key: str(label) for key, label in FIELD_HEADINGS.items()},
            "actions": {
                action.id: _(
                    "Action %(position)s: %(title)s",
                    position=action.position,
                    title=action.title,
                )
                for action in plan.actions
            },
        }


def _money(value) -> str:
    return _("EUR %(amount)s", amount=format_number(value)) if value is not None else _("Not given")


def _timeframe(action) -> str:
    if action.start_month or action.end_month:
        return _(
            "%(start)s to %(end)s", start=action.start_month or "?", end=action.end_month or "?"
        )
    return _("Not given")


def action_fields(action) -> list[tuple[str, str]]:
    """The template's six fields of one action, as text, by key (``TEMPLATE_FIELDS``;
    ``headings`` names them)."""
    texts = action_texts(action)
    return [
        ("Background", texts["Background"]),
        ("Action", texts["Action"]),
        ("Players involved", texts["Players involved"]),
        ("Timeframe", _timeframe(action)),
        ("Costs", _money(action.costs)),
        ("Funding sources", action.funding_sources or _("Not given")),
    ]


def country_name(code: str) -> str:
    """The country's name in the language of the moment, with its code."""
    locale = get_locale() or Locale.parse("en")
    name = locale.territories.get((code or "").upper())
    return f"{name} ({code})" if name else code


def _general(plan: Plan, names: dict[str, str]) -> list[tuple[str, str]]:
    """Part I of the template: project, partner organisation, other partners involved,
    country, NUTS 2 region, contact person; then the plan's own facts. Each row is
    named by ``names`` (``headings``)."""
    region = plan.region
    rows = [
        ("project", current_app.config["PROJECT_NAME"]),
        ("partner", plan.partner.name if plan.partner else "—"),
        ("others", plan.other_partners or _("None (not a joint plan)")),
        ("country", country_name(region.country)),
        ("nuts2", f"{region.name} ({region.nuts2})" if region.nuts2 else region.name),
        ("contact", plan.contact or "—"),
        ("language", plan.language),
        ("status", plan.state.label),
    ]
    if plan.endorsed_at:
        day = format_day(plan.endorsed_at)
        who = plan.endorsed_by.name if plan.endorsed_by else None
        org = plan.endorsed_partner.name if plan.endorsed_partner else None
        if who and org:
            said = _("%(day)s by %(name)s (%(partner)s)", day=day, name=who, partner=org)
        elif who:
            said = _("%(day)s by %(name)s", day=day, name=who)
        elif org:
            said = _("%(day)s by a coordinator (%(partner)s)", day=day, partner=org)
        else:
            said = _("%(day)s by a coordinator", day=day)
        rows.append(("endorsed", said))
    return [(names[key], value) for key, value in rows]


def inspirations(action: PlanAction) -> list[dict]:
    """What inspired the action, for the files: label, kind and full address of each
    good practice or meeting; one the reader cannot open, or whose module is off,
    is named as unavailable (as on the plan page)."""
    in_request = has_request_context()
    user = current_user._get_current_object() if in_request else None
    found = []
    for _link, target in inspired_by(action, user):
        if target is None:
            found.append({"label": str(UNAVAILABLE), "kind": "", "url": ""})
        else:
            url = target.url or ""
            if url and in_request:
                url = urljoin(request.host_url, url)
            found.append({"label": target.label, "kind": target.kind or "", "url": url})
    return found


def _a4(document) -> None:
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _paragraphs(document, text: str) -> None:
    """Markdown text as plain paragraphs (the DOCX keeps the words, not the styling)."""
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    if not blocks:
        document.add_paragraph(_("Not written yet."))
    for block in blocks:
        document.add_paragraph(block.replace("\n", " ").lstrip("#*- ").strip())


def plan_docx(plan: Plan) -> bytes:
    from docx import Document as Docx

    words = headings(plan)
    doc = Docx()
    _a4(doc)
    doc.add_heading(words["title"], level=0)
    doc.add_heading(words["part_1"], level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in _general(plan, words["general"]):
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    doc.add_heading(words["part_2"], level=1)
    doc.add_paragraph(words["aims"])
    doc.add_paragraph(words["instrument"])
    _paragraphs(doc, plan.context_document.body if plan.context_document else "")
    summary = plan.summary_document.body if plan.summary_document else ""
    if summary.strip():
        doc.add_heading(words["summary"], level=2)
        _paragraphs(doc, summary)
    doc.add_heading(words["part_3"], level=1)
    if not plan.actions:
        doc.add_paragraph(_("No actions yet."))
    for action in plan.actions:
        doc.add_heading(words["actions"][action.id], level=2)
        for key, value in action_fields(action):
            doc.add_heading(words["fields"][key], level=3)
            _paragraphs(doc, value)
            if key == "Background":
                _inspired(doc, inspirations(action))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _inspired(doc, found: list[dict]) -> None:
    """The "Inspired by" list under an action's background."""
    doc.add_heading(_("Inspired by"), level=4)
    if not found:
        doc.add_paragraph(_("Nothing linked in the workspace."))
    for item in found:
        kind = f" ({item['kind']})" if item["kind"] else ""
        doc.add_paragraph(f"{item['label']}{kind}", style="List Bullet")


def plan_pdf(plan: Plan) -> bytes:
    words = headings(plan)
    actions = [
        {
            "action": action,
            "heading": words["actions"][action.id],
            "fields": [
                (key, words["fields"][key], render_markup(value))
                for key, value in action_fields(action)
            ],
            "inspired": inspirations(action),
        }
        for action in plan.actions
    ]
    context_body = plan.context_document.body if plan.context_document else ""
    summary_body = plan.summary_document.body if plan.summary_document else ""
    html = render_template(
        "action_plans/plan_pdf.html",
        plan=plan,
        words=words,
        general=_general(plan, words["general"]),
        actions=actions,
        context_html=render_markup(context_body),
        summary_html=render_markup(summary_body),
        page_mm=PAGE_MM,
        margins_mm=MARGINS_MM,
    )
    return html_to_pdf(html)
