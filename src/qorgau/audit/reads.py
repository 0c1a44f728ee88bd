"""Recording what a paginated list showed: one entry per request (not per row), with the filters,
the number of results, the page and the records on it."""

from django.core.paginator import Page

from .log import record


def record_page(action: str, page: Page, filters: dict, shown: list):
    """Append the entry of a list page: ``shown`` names the records on ``page`` (case numbers,
    report or entry ids); ``filters`` as the user chose them (the region one files the entry)."""
    return record(
        action,
        details={
            "filters": filters,
            "results": page.paginator.count,
            "page": page.number,
            "shown": shown,
        },
    )
