"""The portfolio's files: the transfer matrix as CSV, an analysis as PDF."""

from __future__ import annotations

import csv
import io

from flask import render_template

from workspace.pdf import html_to_pdf

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def matrix_csv(regions, rows) -> str:
    """One line per practice: its facts, then each region's score (empty when not
    rated), then the average, exactly as the matrix page shows them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Practice", "Region", "Topic", "Status", *[r.name for r in regions], "Average interest"]
    )
    for row in rows:
        practice = row.practice
        writer.writerow(
            [
                safe_cell(practice.title),
                safe_cell(practice.region.name),
                safe_cell(practice.topic),
                practice.state.label,
                *[row.scores[r.id].score if r.id in row.scores else "" for r in regions],
                f"{row.average:.1f}" if row.average is not None else "",
            ]
        )
    return out.getvalue()


def analysis_pdf(context: dict) -> bytes:

    html = render_template("portfolio/analysis_pdf.html", **context)
    return html_to_pdf(html)


PRACTICE_COLUMNS = [
    ("Title", "title"), ("Status", None), ("Main institution", "institution"),
    ("Country", "country"), ("NUTS", "nuts"), ("City", "city"),
    ("Linked project", "linked_project"), ("Topic", "topic"), ("Keywords", "keywords"),
    ("Started", "starts_on"), ("Ends", "ends_on"), ("Website", "website"),
    ("Summary", "summary"),
]  # fmt: skip


def practices_csv(practices) -> str:
    """A region's practices for its export archive (contacts stay in the workspace)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for label, _ in PRACTICE_COLUMNS])
    for practice in practices:
        writer.writerow(
            [
                practice.state.label if name is None else safe_cell(getattr(practice, name))
                for _, name in PRACTICE_COLUMNS
            ]
        )
    return out.getvalue()
