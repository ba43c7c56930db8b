"""The plan's files: DOCX laid out as the Interreg Europe template, and PDF."""

from __future__ import annotations

import io

from flask import render_template

from workspace.markdown import render_markup
from workspace.numbers import format_number
from workspace.pdf import html_to_pdf

from .models import Plan
from .plans import action_texts

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


def _general(plan: Plan) -> list[tuple[str, str]]:
    partners = plan.partner.name if plan.partner else ""
    if plan.other_partners:
        partners = f"{partners}; {plan.other_partners}" if partners else plan.other_partners
    rows = [
        ("Project", "InterVentures"),
        ("Partner organisation(s)", partners or "—"),
        ("Country / region", f"{plan.region.country} / {plan.region.name}"),
        ("Contact person", plan.contact or "—"),
        ("Language of the plan", plan.language),
        ("Status", plan.state.label),
    ]
    if plan.endorsed_at:
        who = plan.endorsed_by.name if plan.endorsed_by else "a coordinator"
        org = f" ({plan.endorsed_partner.name})" if plan.endorsed_partner else ""
        rows.append(("Endorsed", f"{plan.endorsed_at:%Y-%m-%d} by {who}{org}"))
    return rows


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
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def plan_pdf(plan: Plan) -> bytes:

    actions = [
        {
            "action": action,
            "fields": [(label, render_markup(value)) for label, value in action_fields(action)],
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
    )
    return html_to_pdf(html)
