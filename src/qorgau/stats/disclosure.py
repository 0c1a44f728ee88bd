"""Small-count protection: the one place that decides which counts may be published.

A count from 1 to the threshold (setting ``SMALL_COUNT_THRESHOLD``, read here only) could point
at a person; outside the staff pages it is shown as "<t+1", and further cells are hidden ("*")
so that a total cannot give it away:

- :func:`suppress_with_total` — the portal's published table (anyone may read it, and may know
  this code): what it hides depends on published facts only;
- :func:`suppress` and :func:`protected_cells` — the breakdowns of people for staff who may not
  see cases one by one (:func:`qorgau.stats.services.breakdown`).

Pure functions of the counts; ``stats/tests/test_suppression_properties.py`` tries them against a
reader who knows the rule, over generated tables.
"""

from django.conf import settings

SUPPRESSED_SECONDARY = "*"


def small_label(threshold: int) -> str:
    """How a protected small count is shown: "<t+1" (e.g. "<4" for 1…3; in the breakdowns of
    people for users without case access, for 0…3)."""
    return f"<{threshold + 1}"


def small_count_threshold() -> int:
    """Counts from 1 to this are protected outside the staff pages (setting
    ``SMALL_COUNT_THRESHOLD``, environment ``QORGAU_SMALL_COUNT_THRESHOLD``, default 3)."""
    return settings.SMALL_COUNT_THRESHOLD


def _pinned(counts: list[int], hidden: set[int], primary: set[int], threshold: int) -> bool:
    """Would the hidden cells' sum (known from the total) reveal a small count?

    A reader knows each small cell ("<t+1") is 1…t and each other hidden cell ("*") is at least
    t+1. A small count is revealed when only one assignment fits the sum: when every hidden cell
    must sit at its minimum, or when only small cells are hidden and there is one of them or all
    must sit at the threshold.
    """
    small = len(primary & hidden)
    if small == 0:
        return False
    others = len(hidden) - small
    slack = sum(counts[i] for i in hidden) - small - (threshold + 1) * others
    return slack == 0 or (others == 0 and (small == 1 or slack == small * (threshold - 1)))


def suppress_with_total(counts: list[int], threshold: int | None = None) -> tuple[list[str], str]:
    """A published column (the portal's table): its cells and its total, such that a reader who
    knows this rule cannot work out any count from 1 to ``threshold`` (setting by default).

    A count 1…t shows as "<t+1", zeros and other counts as themselves. When there is a small
    count, one more cell is hidden ("*"): the first non-zero count above the threshold in the
    table's order — chosen by position, not by size, so that which cell is hidden says nothing
    about its value. The total is shown unless the hidden cells' sum would narrow a small
    count, with a margin of t: withheld ("*", whatever its size) when the hidden counts exceed
    their least possible values (1 for "<t+1", t+1 for "*") by less than t in all — or, with
    no "*" to hide, when a single small count is hidden or the excess is below t−1 or above
    (k−1)(t−1) for k small counts. The margin is what makes the withheld total safe too: the
    reader who sees it withheld knows the excess is at most t−1, so each small count may still
    be any of 1…t (and the "*" any of t+1…2t); shown, each small count may be any of 1…t as
    well. (A margin of 2 told a reader that a withheld total meant "each small count is 1 or
    2".) A threshold of 1 protects nothing ("<2" is 1).

    (Breakdowns for analysts use :func:`suppress`: its choice of the smallest cell to hide
    keeps more figures, where the reader is a member of staff and the table's total is not
    printed next to it.)"""
    t = small_count_threshold() if threshold is None else threshold
    primary = [i for i, c in enumerate(counts) if 1 <= c <= t]
    total = sum(counts)
    if not primary:
        return [str(c) for c in counts], str(total)
    second = next((i for i, c in enumerate(counts) if c > t), None)
    hidden = [*primary, *([] if second is None else [second])]
    cells = [
        small_label(t) if i in primary else SUPPRESSED_SECONDARY if i == second else str(c)
        for i, c in enumerate(counts)
    ]
    least = len(primary) + (0 if second is None else t + 1)
    excess = sum(counts[i] for i in hidden) - least
    if second is not None:
        safe = excess >= t
    else:
        safe = len(primary) >= 2 and t - 1 <= excess <= (len(primary) - 1) * (t - 1)
    return cells, str(total) if safe else SUPPRESSED_SECONDARY


def _star_pinned(counts: list[int], hidden: set[int], primary: set[int], threshold: int) -> bool:
    """Would the total reveal a protected cell shown as "*" (a count above the threshold, yet
    behind which stand too few cases)? It would when it is the only "*" hidden, or when every
    hidden cell must sit at its minimum."""
    others = len(hidden - primary)
    slack = sum(counts[i] for i in hidden) - len(primary & hidden) - (threshold + 1) * others
    return others < 2 or slack == 0


def _unsafe(
    counts: list[int], hidden: set[int], primary: set[int], protect: set[int], threshold: int
) -> bool:
    return _pinned(counts, hidden, primary, threshold) or bool(
        protect - primary and _star_pinned(counts, hidden, primary, threshold)
    )


def suppress(
    counts: list[int],
    threshold: int | None = None,
    protect: set[int] | frozenset[int] = frozenset(),
) -> list[str]:
    """Counts as published outside the staff pages: 1…threshold shown as "<threshold+1", and
    further cells hidden ("*") until the total cannot reveal a hidden count (see
    :func:`_pinned`). Zeros are shown: they reveal no one. ``protect``: cells to hide whatever
    their count (too few cases stand behind them), protected from the total in the same way.
    ``threshold``: :func:`small_count_threshold` unless given."""
    threshold = small_count_threshold() if threshold is None else threshold
    primary = {i for i, c in enumerate(counts) if 1 <= c <= threshold}
    protect = {i for i in protect if counts[i]}
    hidden = primary | protect
    while _unsafe(counts, hidden, primary, protect, threshold):
        candidates = sorted((c, i) for i, c in enumerate(counts) if i not in hidden and c > 0)
        if not candidates:
            break
        hidden.add(candidates[0][1])
    return [
        small_label(threshold) if i in primary else SUPPRESSED_SECONDARY if i in hidden else str(c)
        for i, c in enumerate(counts)
    ]


def protected_cells(counts: list[int], threshold: int, few: set[int]) -> list[str] | None:
    """A breakdown of people's cells as :func:`~qorgau.stats.services.breakdown` shows them to who may not see cases:
    :func:`suppress` (``few``: the values behind which 1…t cases stand), and a zero shown like a
    small count ("<t+1"); None when no choice of cells keeps a small count or a ``few`` cell
    from being worked out from the table's total (the whole table is then withheld)."""
    cells = suppress(counts, threshold, few)
    hidden = {i for i, cell in enumerate(cells) if not cell.isdigit()}
    small = {i for i, count in enumerate(counts) if 1 <= count <= threshold}
    if _unsafe(counts, hidden, small, few, threshold):
        return None
    return [
        cell if count else small_label(threshold) for count, cell in zip(counts, cells, strict=True)
    ]
