"""The transfer matrix's rows: every practice in the portfolio, with each region's
rating of it, and the rating form of one cell.

The matrix is the portfolio's largest page (a row per practice, a form per region in
each row), so its rows are read as plain columns and its forms written out in Python:
ORM objects and template logic for its hundreds of cells cost more than the rest of
the page (bench/results.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from workspace.api import MAX_ID, Region, db

from .forms import score_options
from .models import IN_PORTFOLIO, Practice, Rating, Status, topic_label

MATRIX_PAGE = 25  # practices per page of the matrix


class MatrixPractice(NamedTuple):
    """What the matrix (its page, its CSV, an analysis's table) shows of a practice."""

    id: int
    title: str
    region: Region
    topic: str
    status: str

    @property
    def region_id(self) -> int:
        return self.region.id

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def topic_label(self) -> str:
        return topic_label(self.topic)


class Score(NamedTuple):
    """A region's rating of a practice, as the matrix shows it."""

    score: int
    note: str


@dataclass
class Row:
    practice: MatrixPractice | Practice
    scores: dict[int, Score | Rating]  # region id -> its rating (or the one just saved)

    @property
    def average(self) -> float | None:
        values = [rating.score for rating in self.scores.values()]
        return sum(values) / len(values) if values else None


def matrix_rows(regions: list[Region], topic: str = "", sort: str = "title", minimum: int = 0):
    """The rows of practices of ``regions`` in the portfolio (submitted or approved, not
    in the trash), with the ratings ``regions`` gave them, filtered and sorted."""
    by_id = {r.id: r for r in regions}
    query = (
        select(Practice.id, Practice.title, Practice.region_id, Practice.topic, Practice.status)
        .where(
            Practice.region_id.in_(list(by_id)),
            Practice.status.in_(IN_PORTFOLIO),
            Practice.not_trashed(),
        )
        .order_by(Practice.title)
    )
    if topic:
        query = query.where(Practice.topic == topic)
    practices = [
        MatrixPractice(id_, title, by_id[region_id], topic_ or "", status)
        for id_, title, region_id, topic_, status in db.session.connection().execute(query)
    ]
    scores: dict[int, dict[int, Score]] = {p.id: {} for p in practices}
    ratings = select(Rating.practice_id, Rating.region_id, Rating.score, Rating.note).where(
        Rating.region_id.in_(list(by_id)),
        Rating.practice_id.in_(query.with_only_columns(Practice.id).order_by(None)),
    )
    for practice_id, region_id, score, note in db.session.connection().execute(ratings):
        scores[practice_id][region_id] = Score(score, note or "")
    rows = [Row(p, scores[p.id]) for p in practices]
    if minimum:
        rows = [row for row in rows if (row.average or 0) >= minimum]
    if sort == "interest":
        rows.sort(key=lambda row: -(row.average or -1))
    elif sort == "region":
        rows.sort(key=lambda row: (row.practice.region.name, row.practice.title.casefold()))
    return rows


# A cell's form posts on change and swaps its row (the table body gives hx-target and
# hx-swap); htmx sends the page's CSRF header, so the hidden token serves only the
# no-script "Save" button. Its texts are the reader's language's (``Cells``).
_FORM = (
    '<form method="post" action="{url}" hx-post="{url}" hx-trigger="change">'
    '<select name="score" aria-label="{interest}"{invalid}>{options}</select>'
    ' <input type="text" name="note" value="{note}" maxlength="300" placeholder="{note_hint}"'
    ' aria-label="{note_label}" class="note">'
    '<noscript><input type="hidden" name="csrf_token" value="{token}">'
    '<button type="submit" class="small">{save}</button></noscript></form>'
)


def cell_error_id(practice_id: int, region: Region) -> str:
    """The id of the message under a refused rating, which its score list points at."""
    return f"rating-{practice_id}-{region.slug}-msg"


class Cell(NamedTuple):
    """One region's cell of a row: its rating, and its form where the reader rates."""

    region: Region
    rating: Score | Rating | None
    own: bool  # the region's own practice: never rated
    form: Markup | None = None
    errors: dict | None = None
    error_id: str | None = None  # the message's, which the refused score list points at


class Cells:
    """The cells of the matrix's rows for one reader: ``cells(row)`` lists a row's cells
    in the order of ``regions``, with the rating form written out in those of the
    regions the reader rates for (``editable``). Each region's form address is built
    with ``url_for`` once, the practice's id then put in place of a stand-in."""

    def __init__(
        self,
        regions: list[Region],
        editable: set[int],
        token: str,
        errors: dict[tuple[int, int], dict] | None = None,
    ) -> None:
        stand_in = f"/{MAX_ID}/"  # an id segment; the region's slug, after it, has no "/"
        self._regions = regions
        self._editable = editable
        self._token = escape(token)
        self._errors = errors or {}
        self._addresses: dict[int, tuple[str, str]] = {}
        # The form's texts, translated once and escaped: their placeholders are filled
        # with escaped values in each cell (plain ``%``, as ``str.format`` below).
        self._interest = str(escape(_("Interest of %(region)s in %(title)s")))
        self._note_label = str(escape(_("Note of %(region)s on %(title)s")))
        self._texts = {"note_hint": escape(_("Note")), "save": escape(_("Save"))}
        self._options = score_options()
        for region in regions:
            url = url_for("portfolio_project.rate", practice_id=MAX_ID, region=region.slug)
            before, found, after = url.rpartition(stand_in)
            assert found, url
            self._addresses[region.id] = (f"{escape(before)}/", f"/{escape(after)}")

    def __call__(self, row: Row) -> list[Cell]:
        practice = row.practice
        title = escape(practice.title)
        cells = []
        for region in self._regions:
            rating = row.scores.get(region.id)
            if region.id == practice.region_id:
                cells.append(Cell(region, None, True))
            elif region.id in self._editable:
                errors = self._errors.get((practice.id, region.id))
                error_id = cell_error_id(practice.id, region) if errors else None
                form = self._form(practice.id, region, title, rating, error_id)
                cells.append(Cell(region, rating, False, form, errors, error_id))
            else:
                cells.append(Cell(region, rating, False))
        return cells

    def _form(self, practice_id: int, region: Region, title: str, rating, error_id: str | None):
        before, after = self._addresses[region.id]
        names = {"region": escape(region.name), "title": title}
        # str.format on escaped values: Markup.format's formatter is many times slower.
        # Every value is escaped here or is Markup (the options); _FORM is a constant,
        # the texts escaped translations.
        return Markup(  # noqa: S704
            _FORM.format(
                url=f"{before}{practice_id}{after}",
                interest=self._interest % names,
                note_label=self._note_label % names,
                invalid=f' aria-invalid="true" aria-describedby="{escape(error_id)}"'
                if error_id
                else "",
                options=self._options.get(rating.score if rating else None, self._options[None]),
                note=escape(rating.note) if rating else "",
                token=self._token,
                **self._texts,
            )
        )
