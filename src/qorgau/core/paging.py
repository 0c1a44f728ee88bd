"""Pagination and sortable column headers of the staff lists, with the list's filters kept in
every link (``registry/pager.html`` draws GOV.UK's pagination component from :func:`pager`)."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise

PER_PAGE = 50


def query(params: QueryDict, **changes: str | None) -> str:
    """``params`` as a query string (with ``?``) with ``changes`` applied; a None value drops
    the parameter. Empty parameters are dropped, so links stay short."""
    out = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [v for v in values if v != ""]
        if kept and key not in changes:
            out.setlist(key, kept)
    for key, value in changes.items():
        if value is not None:
            out[key] = value
    return f"?{out.urlencode()}" if out else "?"


@dataclass
class Pager:
    """One page of a list and the links of GOV.UK's pagination component."""

    page: Page
    previous: str = ""
    next: str = ""
    items: list[dict] = field(default_factory=list)


def paginate(
    items: QuerySet | list,
    params: QueryDict,
    *,
    param: str = "page",
    per_page: int = PER_PAGE,
    fragment: str = "",
) -> Pager:
    """The page of ``items`` that ``params[param]`` asks for (the first for a missing or
    non-numeric value, the last past the end), with links that keep the other parameters
    (and end in ``#fragment``, the list's place on a page of several)."""
    page = Paginator(items, per_page).get_page(params.get(param))
    pager = Pager(page)
    anchor = f"#{fragment}" if fragment else ""

    def link(number: int) -> str:
        return query(params, **{param: str(number)}) + anchor

    if page.has_previous():
        pager.previous = link(page.previous_page_number())
    if page.has_next():
        pager.next = link(page.next_page_number())
    if page.paginator.num_pages > 1:
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1):
            if number == Paginator.ELLIPSIS:
                pager.items.append({"ellipsis": True})
            else:
                pager.items.append({
                    "number": number,
                    "href": link(int(number)),
                    "current": number == page.number,
                })  # fmt: skip
    return pager


@dataclass
class Column:
    """A column header: its label and, for a sortable one, the link that sorts by it (again:
    the other way) and its ``aria-sort`` state."""

    label: str | Promise
    href: str = ""
    sort: str = ""  # "ascending", "descending" or "" (aria-sort)
    numeric: bool = False


def columns(
    params: QueryDict, spec: list[tuple[str | Promise, str]], *, param: str = "sort"
) -> list[Column]:
    """The headers of a list from ``spec`` — (label, sort key or "" when the column does not
    sort) — for the current ``params``: a header sorts ascending, a second click descending;
    the page goes back to the first, the filters stay."""
    current = params.get(param, "")
    out = []
    for label, key in spec:
        if not key:
            out.append(Column(label))
            continue
        state = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        target = f"-{key}" if state == "ascending" else key
        out.append(Column(label, query(params, **{param: target, "page": None}), state))
    return out
