"""`protocolc status`: which councils' documents are due for review, most urgent first."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .model import Document, PartialDate

DUE_WITHIN_DAYS = 90
OVERDUE, DUE, OK, UNKNOWN = "overdue", "due", "ok", "no review date"
URGENCY = {OVERDUE: 0, DUE: 1, UNKNOWN: 2, OK: 3}


@dataclass(frozen=True)
class ReviewStatus:
    document: Document
    state: str
    review_on: dt.date | None  # the last day the review can happen in time

    @property
    def label(self) -> str:
        return label(self.state)


@dataclass(frozen=True)
class SiteEntry:
    """One row of the site's index (site.py): a built document, its review state and links to its files."""

    council_id: str
    document_id: str
    name: str
    title: str
    version: str
    adopted: str
    review_by: str
    state: str  # overdue, due, ok or 'no review date'
    links: tuple[tuple[str, str], ...]  # (label, href relative to the index)


def label(state: str) -> str:
    return {DUE: f"due within {DUE_WITHIN_DAYS} days"}.get(state, state)


def last_day(date: PartialDate) -> dt.date:
    """A review 'by December 2023' is in time until 31 December 2023."""
    day = date.day or calendar.monthrange(date.year, date.month)[1]
    return dt.date(date.year, date.month, day)


def review_state(review_by: PartialDate | None, today: dt.date) -> tuple[str, dt.date | None]:
    """The state of a review date as of `today`, and the last day the review is in time."""
    if review_by is None:
        return UNKNOWN, None
    due = last_day(review_by)
    if due < today:
        return OVERDUE, due
    return (DUE if (due - today).days <= DUE_WITHIN_DAYS else OK), due


def review_status(document: Document, today: dt.date) -> ReviewStatus:
    state, due = review_state(document.current.review_by, today)
    return ReviewStatus(document, state, due)


def statuses(documents: list[Document], today: dt.date) -> list[ReviewStatus]:
    """Most urgent first: overdue, then due soon, then no review date recorded, then the rest; earliest date first."""
    found = [review_status(d, today) for d in documents]
    return sorted(found, key=lambda s: (URGENCY[s.state], s.review_on or dt.date.max, s.document.name))
