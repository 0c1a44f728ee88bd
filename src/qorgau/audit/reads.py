"""Recording what a paginated list showed: one entry per request (not per row), with the filters,
the number of results, the page and the records on it."""

from typing import Any

from django.core.paginator import Page

from qorgau.core.actors import Actor

from .log import write
from .models import AuditEntry


def record_page(
    actor: Actor, action: str, page: Page, filters: dict[str, Any], shown: list[Any]
) -> AuditEntry | None:
    """Append the entry of a list page ``actor`` was shown: ``shown`` names the records on
    ``page`` (case numbers, report or entry ids); ``filters`` as the user chose them (the
    region one files the entry)."""
    return write(
        actor,
        action,
        details={
            "filters": filters,
            "results": page.paginator.count,
            "page": page.number,
            "shown": shown,
        },
    )
