"""The portfolio's files: the transfer matrix as CSV, an analysis as PDF, the practices
and their texts for the region's export."""

from __future__ import annotations

import re

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workspace.api import LANGUAGES, html_to_pdf, in_language, to_csv


def matrix_csv(regions, rows) -> str:
    """One line per practice, as the matrix page shows it: the practice's facts, then
    for each region its score (0-3, a number the spreadsheet can sum and sort) and its
    note, then the average interest.

    A region's own practice is never rated: its score cell says "own practice". A
    practice another region has not rated yet says "not rated", so the two can be
    told apart and neither is mistaken for a score of 0. Headings and these words are in
    the language of the person downloading it.
    """
    header = [_("Practice"), _("Region"), _("Topic"), _("Status")]
    for region in regions:
        header += [region.name, _("%(region)s note", region=region.name)]
    header.append(_("Average interest"))
    own_practice, not_rated = _("own practice"), _("not rated")
    lines = []
    for row in rows:
        practice = row.practice
        line = [practice.title, practice.region.name, practice.topic_label, practice.state.label]
        for region in regions:
            rating = row.scores.get(region.id)
            if region.id == practice.region_id:
                line += [own_practice, ""]
            elif rating is None:
                line += [not_rated, ""]
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


def opens_with_conclusions(body: str) -> bool:
    """Whether the conclusions begin with their heading, "## Conclusions" in English or
    in any of the workspace's languages (their author's, when the text was begun)."""
    headings = ["Conclusions"]
    for code in LANGUAGES:
        with in_language(code):
            headings.append(_("Conclusions"))
    return any(opens_with(body, heading) for heading in headings)


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
        **{**context, "conclusions": conclusions, "headed": opens_with_conclusions(conclusions)},
    )
    return html_to_pdf(html)


PRACTICE_COLUMNS = [
    (_l("Title"), "title"), (_l("Status"), None), (_l("Main institution"), "institution"),
    (_l("Country"), "country"), (_l("NUTS"), "nuts"), (_l("City"), "city"),
    (_l("Linked project"), "linked_project"), (_l("Topic"), "topic_label"),
    (_l("Keywords"), "keywords"), (_l("Started"), "starts_on"), (_l("Ends"), "ends_on"),
    (_l("Website"), "website"), (_l("Summary"), "summary"),
]  # fmt: skip


def practices_csv(practices) -> str:
    """A region's practices for its export archive (contacts stay in the workspace),
    headed in the language of the person exporting."""
    return to_csv(
        [str(label) for label, _name in PRACTICE_COLUMNS],
        [
            [
                practice.state.label if name is None else getattr(practice, name)
                for _label, name in PRACTICE_COLUMNS
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
        + (f" · {practice.topic_label}" if practice.topic else "")
        + f"\n\n{practice.document.body}\n"
    )
