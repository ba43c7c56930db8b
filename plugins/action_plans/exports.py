"""The plan's files: DOCX laid out as the Interreg Europe template, and PDF, both on
A4 with the same margins, both naming the region's NUTS 2 code and what inspired each
action."""

from __future__ import annotations

import io
from urllib.parse import urljoin

from babel import Locale
from flask import current_app, has_request_context, render_template, request
from flask_login import current_user

from workspace.api import UNAVAILABLE, format_day, format_number, html_to_pdf, render_markup

from .models import Plan, PlanAction
from .plans import action_texts, inspired_by

# The page of both files: A4, and the PDF's margins (plan_pdf.html's @page).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}

TEMPLATE_FIELDS = [
    "Background",
    "Action",
    "Players involved",
    "Timeframe",
    "Costs",
    "Funding sources",
]


def _money(value) -> str:
    return f"EUR {format_number(value)}" if value is not None else "Not given"


def _timeframe(action) -> str:
    if action.start_month or action.end_month:
        return f"{action.start_month or '?'} to {action.end_month or '?'}"
    return "Not given"


def action_fields(action) -> list[tuple[str, str]]:
    """The template's six fields of one action, as text."""
    texts = action_texts(action)
    return [
        ("Background", texts["Background"]),
        ("Action", texts["Action"]),
        ("Players involved", texts["Players involved"]),
        ("Timeframe", _timeframe(action)),
        ("Costs", _money(action.costs)),
        ("Funding sources", action.funding_sources or "Not given"),
    ]


def country_name(code: str) -> str:
    """The country's English name (the template is in English), with its code."""
    name = Locale.parse("en").territories.get((code or "").upper())
    return f"{name} ({code})" if name else code


def _general(plan: Plan) -> list[tuple[str, str]]:
    """Part I of the template: project, partner organisation, other partners involved,
    country, NUTS 2 region, contact person; then the plan's own facts."""
    region = plan.region
    rows = [
        ("Project", current_app.config["PROJECT_NAME"]),
        ("Partner organisation", plan.partner.name if plan.partner else "—"),
        ("Other partners involved", plan.other_partners or "None (not a joint plan)"),
        ("Country", country_name(region.country)),
        ("NUTS 2 region", f"{region.name} ({region.nuts2})" if region.nuts2 else region.name),
        ("Contact person", plan.contact or "—"),
        ("Language of the plan", plan.language),
        ("Status", plan.state.label),
    ]
    if plan.endorsed_at:
        who = plan.endorsed_by.name if plan.endorsed_by else "a coordinator"
        org = f" ({plan.endorsed_partner.name})" if plan.endorsed_partner else ""
        rows.append(("Endorsed", f"{format_day(plan.endorsed_at)} by {who}{org}"))
    return rows


def inspirations(action: PlanAction) -> list[dict]:
    """What inspired the action, for the files: label, kind and full address of each
    good practice or meeting; one the reader cannot open, or whose module is off,
    is named as unavailable (as on the plan page)."""
    in_request = has_request_context()
    user = current_user._get_current_object() if in_request else None
    found = []
    for _link, target in inspired_by(action, user):
        if target is None:
            found.append({"label": UNAVAILABLE, "kind": "", "url": ""})
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
        document.add_paragraph("Not written yet.")
    for block in blocks:
        document.add_paragraph(block.replace("\n", " ").lstrip("#*- ").strip())


def plan_docx(plan: Plan) -> bytes:
    from docx import Document as Docx

    doc = Docx()
    _a4(doc)
    doc.add_heading(plan.title, level=0)
    doc.add_heading("Part I – General information", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in _general(plan):
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    doc.add_heading("Part II – Policy context", level=1)
    doc.add_paragraph(f"The action plan aims to impact: {plan.kind_label}")
    doc.add_paragraph(f"Name of the policy instrument addressed: {plan.instrument_name}")
    _paragraphs(doc, plan.context_document.body if plan.context_document else "")
    summary = plan.summary_document.body if plan.summary_document else ""
    if summary.strip():
        doc.add_heading("English summary", level=2)
        _paragraphs(doc, summary)
    doc.add_heading("Part III – Details of the actions envisaged", level=1)
    if not plan.actions:
        doc.add_paragraph("No actions yet.")
    for action in plan.actions:
        doc.add_heading(f"Action {action.position}: {action.title}", level=2)
        for label, value in action_fields(action):
            doc.add_heading(label, level=3)
            _paragraphs(doc, value)
            if label == "Background":
                _inspired(doc, inspirations(action))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _inspired(doc, found: list[dict]) -> None:
    """The "Inspired by" list under an action's background."""
    doc.add_heading("Inspired by", level=4)
    if not found:
        doc.add_paragraph("Nothing linked in the workspace.")
    for item in found:
        kind = f" ({item['kind']})" if item["kind"] else ""
        doc.add_paragraph(f"{item['label']}{kind}", style="List Bullet")


def plan_pdf(plan: Plan) -> bytes:
    actions = [
        {
            "action": action,
            "fields": [(label, render_markup(value)) for label, value in action_fields(action)],
            "inspired": inspirations(action),
        }
        for action in plan.actions
    ]
    context_body = plan.context_document.body if plan.context_document else ""
    summary_body = plan.summary_document.body if plan.summary_document else ""
    html = render_template(
        "action_plans/plan_pdf.html",
        plan=plan,
        general=_general(plan),
        actions=actions,
        context_html=render_markup(context_body),
        summary_html=render_markup(summary_body),
        page_mm=PAGE_MM,
        margins_mm=MARGINS_MM,
    )
    return html_to_pdf(html)
