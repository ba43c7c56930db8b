"""The portfolio's files: the transfer matrix as CSV, an analysis as PDF, the practices
and their texts for the region's export."""

from __future__ import annotations

import re

from flask import render_template

from workspace.api import html_to_pdf, to_csv

OWN_PRACTICE = "own practice"
NOT_RATED = "not rated"


def matrix_csv(regions, rows) -> str:
    """One line per practice, as the matrix page shows it: the practice's facts, then
    for each region its score (0-3, a number the spreadsheet can sum and sort) and its
    note, then the average interest.

    A region's own practice is never rated: its score cell says "own practice". A
    practice another region has not rated yet says "not rated", so the two can be
    told apart and neither is mistaken for a score of 0.
    """
    header = ["Practice", "Region", "Topic", "Status"]
    for region in regions:
        header += [region.name, f"{region.name} note"]
    header.append("Average interest")
    lines = []
    for row in rows:
        practice = row.practice
        line = [practice.title, practice.region.name, practice.topic, practice.state.label]
        for region in regions:
            rating = row.scores.get(region.id)
            if region.id == practice.region_id:
                line += [OWN_PRACTICE, ""]
            elif rating is None:
                line += [NOT_RATED, ""]
            else:
                line += [rating.score, rating.note]
        line.append(round(row.average, 1) if row.average is not None else None)
        lines.append(line)
    return to_csv(header, lines)


_FIRST_LINE = re.compile(r"\s*(.*)")
_HEADING = re.compile(r"#{1,6}\s+(.+?)\s*#*\s*$")


def opens_with(body: str, heading: str) -> bool:
    """Whether a Markdown text begins with a heading that reads ``heading``: the
    conclusions are written under "## Conclusions", which the PDF then prints once."""
    first = _FIRST_LINE.match(body or "").group(1)
    match = _HEADING.match(first)
    return bool(match) and match.group(1).strip().casefold() == heading.casefold()


def written(body: str) -> bool:
    """Whether a text says anything beyond the headings it was started with."""
    return any(
        line.strip() and not _HEADING.match(line.strip()) for line in (body or "").splitlines()
    )


def conclusions_of(analysis) -> str:
    """The conclusions' Markdown, or "" while nothing is written under the headings."""
    document = analysis.document
    body = document.body if document is not None and document.deleted_at is None else ""
    return body if written(body) else ""


def analysis_pdf(context: dict) -> bytes:
    conclusions = conclusions_of(context["analysis"])
    html = render_template(
        "portfolio/analysis_pdf.html",
        **{**context, "conclusions": conclusions, "headed": opens_with(conclusions, "Conclusions")},
    )
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
    return to_csv(
        [label for label, _ in PRACTICE_COLUMNS],
        [
            [
                practice.state.label if name is None else getattr(practice, name)
                for _, name in PRACTICE_COLUMNS
            ]
            for practice in practices
        ],
    )


def practice_markdown(practice) -> str:
    """A practice's long texts for the region's export: its title, status and region as
    a heading, then the document's Markdown as written (one section per template field)."""
    return (
        f"# {practice.title}\n\n"
        f"{practice.state.label} · {practice.region.name}"
        + (f" · {practice.topic}" if practice.topic else "")
        + f"\n\n{practice.document.body}\n"
    )
