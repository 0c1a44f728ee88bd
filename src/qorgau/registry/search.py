"""Finding cases and reports by what a person types: a case number or part of it, an ERDR
number or part of it, a report's number (its id) or words of a report's summary.

One owner for how text matches, used by the search box (``find``) and by the lists' ``q``
filter (``registry/filters.py``), so a list linked from the search page shows what the search
counted. On PostgreSQL partial numbers are ``LIKE '%…%'`` served by ``pg_trgm`` trigram indexes
and summary words are full-text search (the ``'simple'`` configuration: there is no Kazakh or
Russian stemmer in PostgreSQL, so a word matches by its beginning, ``кража`` as ``краж:*``);
on SQLite both are ``LIKE`` (migration ``0005_search_indexes`` makes the indexes on PostgreSQL only;
docs/search.md)."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat

from qorgau.access import policy
from qorgau.core.actors import Actor

from . import scoped
from .models import Case, Report
from .numbering import ERDR_RE, NUMBER_RE

MAX_QUERY = 200  # characters: the header's box allows no more
MAX_WORDS = 8  # words of a summary search; more narrow nothing and cost time
SHOWN = 20  # records of each kind on the search page; the lists show the rest
# Counted up to here, then "more than": counting 150,000 reports holding a common word would
# cost more than the search itself, and the list linked to counts them all.
COUNT_UP_TO = 1000
RECENT = 5000  # newest records read in date order before a search turns to its indexes
SEARCH_CONFIG = (
    "simple"  # full-text configuration of the summary index (migration 0005_search_indexes)
)
# The characters of a number (case number, ERDR number, report id): digits and hyphens.
NUMBER_TEXT = re.compile(r"^[0-9-]+$")
WORD = re.compile(r"\w+")
# A report's number (its id) as a person writes it: 1234, №1234, #1234 (never "000123",
# which is part of a case number).
REPORT_NUMBER = re.compile(r"^[№#]?\s*([1-9]\d{0,11})$")


def summary_vector(indexed: bool = True) -> SearchVector:
    """The expression the summary's GIN index is built on; a query must use the same one for
    the index to serve it. ``indexed=False``: the same words by an expression the index does
    not serve (``summary || ''``), for a query that must test the newest rows one by one down
    the date index (``newest``) however rare the planner guesses the words to be."""
    if indexed:
        return SearchVector("summary", config=SEARCH_CONFIG)
    return SearchVector(
        Concat("summary", Value(""), output_field=TextField()), config=SEARCH_CONFIG
    )


def words(text: str) -> list[str]:
    """The words of ``text`` a summary search looks for (letters and digits, at most
    :data:`MAX_WORDS`)."""
    return WORD.findall(text)[:MAX_WORDS]


def cases_matching(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """``cases`` whose number or ERDR number contains ``text`` (``000222``, ``79-000222``,
    a whole number). Text other than digits and hyphens matches nothing."""
    text = text.strip()
    if not text or not NUMBER_TEXT.match(text):
        return cases.none()
    if "-" in text:  # an ERDR number has digits only
        return cases.filter(number__contains=text)
    return cases.filter(Q(number__contains=text) | Q(erdr_number__contains=text))


def reports_matching(
    reports: QuerySet[Report], text: str, indexed: bool = True
) -> QuerySet[Report]:
    """``reports`` whose number (id) is ``text`` or whose summary holds every word of it
    (``indexed``: see :func:`summary_vector`)."""
    text = text.strip()
    number = REPORT_NUMBER.match(text)
    by_number = Q(pk=int(number[1])) if number else Q(pk__in=[])
    found = words(text)
    if not found:
        return reports.filter(by_number)
    if connection.vendor == "postgresql":
        query = SearchQuery(
            " & ".join(f"{word}:*" for word in found), config=SEARCH_CONFIG, search_type="raw"
        )
        return reports.alias(summary_search=summary_vector(indexed)).filter(
            by_number | Q(summary_search=query)
        )
    # SQLite's LIKE folds the case of ASCII letters only: a Cyrillic word is also tried as
    # typed, in lower case, capitalised and in upper case.
    by_words = Q()
    for word in found:
        forms = {word, word.lower(), word.capitalize(), word.upper()}
        any_form = Q()
        for form in forms:
            any_form |= Q(summary__icontains=form)
        by_words &= any_form
    return reports.filter(by_number | by_words)


def exact_case(cases: QuerySet[Case], text: str) -> Case | None:
    """The one case of ``cases`` whose whole number or whole ERDR number is ``text``."""
    text = text.strip()
    if NUMBER_RE.match(text):
        return cases.filter(number=text).first()
    if ERDR_RE.match(text):
        found = list(cases.filter(erdr_number=text)[:2])
        return found[0] if len(found) == 1 else None
    return None


@dataclass
class Found:
    """What a search found in the actor's scope: the counts (up to :data:`COUNT_UP_TO` + 1)
    and the first :data:`SHOWN` records of each kind (newest first)."""

    query: str
    cases: list[Case]
    case_count: int
    reports: list[Report]
    report_count: int
    may_see_reports: bool
    count_up_to: int = COUNT_UP_TO

    @property
    def many_cases(self) -> bool:
        """More than :data:`COUNT_UP_TO` cases: the page says "more than"."""
        return self.case_count > self.count_up_to

    @property
    def many_reports(self) -> bool:
        return self.report_count > self.count_up_to


def newest(
    base: QuerySet, matching: QuerySet, field: str, window: QuerySet | None = None
) -> tuple[list, int]:
    """The first :data:`SHOWN` records of ``matching`` (a filter of ``base``), newest ``field``
    first, and how many match, counted up to :data:`COUNT_UP_TO` + 1.

    A frequent match is found among the newest :data:`RECENT` records of ``base``, read down
    the date index. A rarer one is taken from the search indexes, ordered by an expression the
    date index cannot serve: otherwise PostgreSQL, which guesses 2 % for any prefix word, may
    read the whole table down the date index looking for a word that is nowhere.

    ``window``: ``matching`` by expressions no search index serves, so that the newest rows
    are read down the date index and tested one by one (at most about RECENT of them): for
    two common words PostgreSQL guesses 0.04 % and would otherwise fetch every row holding
    them (34,000 of a million: 280 ms) to keep the 167 among the newest 5,000."""
    if matching.query.is_empty():  # e.g. words typed: no case number can match
        return [], 0
    order = (f"-{field}", "-pk")
    # One query: the date of the RECENT-th newest record is a scalar subquery, and the matches
    # from that date on are read down the date index (at most about RECENT rows, each tested).
    # Every match outside that window is older, so 20 found inside it are the 20 newest.
    cutoff = Subquery(base.order_by(*order).values(field)[RECENT - 1 : RECENT])
    in_window = matching if window is None else window
    first = list(in_window.filter(**{f"{field}__gte": cutoff}).order_by(*order)[:SHOWN])
    if len(first) == SHOWN:
        return first, matching.order_by()[: COUNT_UP_TO + 1].count()
    ids = list(
        matching.order_by(Coalesce(field, field).desc(), "-pk").values_list("pk", flat=True)[
            : COUNT_UP_TO + 1
        ]
    )
    shown = matching.model._default_manager.select_related("region").in_bulk(ids[:SHOWN])
    return [shown[pk] for pk in ids[:SHOWN]], len(ids)


def find(actor: Actor, text: str) -> Found:
    """Search the cases and reports ``actor`` may see for ``text``. Other regions' records
    never match: the querysets are the policy's (``scoped``)."""
    text = text.strip()[:MAX_QUERY]
    case_base = scoped.cases_for(actor, "case.search").select_related("region")
    cases, case_count = newest(case_base, cases_matching(case_base, text), "registered_at")
    report_base = scoped.reports_for(actor, "report.view").select_related("region")
    reports, report_count = newest(
        report_base,
        reports_matching(report_base, text),
        "received_at",
        window=reports_matching(report_base, text, indexed=False),
    )
    return Found(
        query=text,
        cases=cases,
        case_count=case_count,
        reports=reports,
        report_count=report_count,
        may_see_reports=policy.can(actor, "report.view"),
    )
