"""The published release table against a reader who knows the rule (``suppress_with_total``)
and reads every withheld total too: each hidden cell must keep at least t possible values, and
the disclosure audit (``releases.audit``) must find exactly what that reader finds.

(A margin of 2 before the total was shown let such a reader tell from a withheld total that a
"<4" next to a "*" was 1 or 2 — in most columns with a withheld total — while the audit, which
did not read withheld totals, called the cell safe.)"""

import datetime as dt
import itertools
import random

import pytest
from django.utils import translation

from qorgau.stats import disclosure, releases


def reader(cells: list[str], total: str, t: int, cap: int) -> dict[int, set[int]]:
    """Each hidden cell's values for which the rule publishes exactly ``cells`` and ``total``
    (a "*" tried up to ``cap``)."""
    hidden = [i for i, cell in enumerate(cells) if not cell.isdigit()]
    ranges = [
        range(t + 1, cap + 1) if cells[i] == disclosure.SUPPRESSED_SECONDARY else range(1, t + 1)
        for i in hidden
    ]
    possible: dict[int, set[int]] = {i: set() for i in hidden}
    for values in itertools.product(*ranges):
        counts = [int(cell) if cell.isdigit() else 0 for cell in cells]
        for i, value in zip(hidden, values, strict=True):
            counts[i] = value
        if disclosure.suppress_with_total(counts, t) == (cells, total):
            for i, value in zip(hidden, values, strict=True):
                possible[i].add(value)
    return possible


def columns(t: int, n: int, seed: int):
    rng = random.Random(seed)
    for _i in range(n):
        size = rng.randint(1, 5)
        yield [rng.choice([0, 0, 1, 2, t, t + 1, t + 2, t + 4, 3 * t]) for _j in range(size)]


@pytest.mark.parametrize("t", [2, 3, 4])
def test_a_reader_who_knows_the_rule_keeps_t_values_for_every_hidden_cell(t):
    withheld = 0
    for counts in columns(t, 300, seed=t):
        cells, total = disclosure.suppress_with_total(counts, t)
        withheld += total == disclosure.SUPPRESSED_SECONDARY
        for i, values in reader(cells, total, t, cap=max(counts) + 2 * t + 2).items():
            assert counts[i] in values
            assert len(values) >= t, (counts, cells, total, i, sorted(values))
    assert withheld > 20  # the case that mattered was tried


def test_a_withheld_total_next_to_a_star_says_nothing_of_the_small_count():
    # 1 next to a hidden 4: the hidden excess is 0. A margin of 2 withheld the total only for
    # an excess of 0 or 1, so the "<4" was 1 or 2; it may now be 1, 2 or 3.
    cells, total = disclosure.suppress_with_total([4, 1, 5, 0, 0], 3)
    assert (cells, total) == (["*", "<4", "5", "0", "0"], "*")
    assert reader(cells, total, 3, cap=20) == {0: {4, 5, 6}, 1: {1, 2, 3}}
    # An excess of 2 (1 and 6) is now withheld too; of 3 (1 and 7) shown.
    assert disclosure.suppress_with_total([6, 1], 3)[1] == "*"
    assert disclosure.suppress_with_total([7, 1], 3)[1] == "8"


def test_the_audit_finds_what_the_reader_finds(table_release):
    """One release per column, audited together: each protected cell's interval is the
    reader's least and greatest value (a "*" beside a shown total is bounded by it; beside a
    withheld one by t − 1 above its least; a "*" the reader cannot bound runs to the cap)."""
    t, regions = 3, ["A", "B", "C", "D"]
    made, expected = [], {}
    for number, counts in enumerate(columns(t, 60, seed=11), start=1):
        counts = (counts + [0] * 4)[:4]
        cells, total = disclosure.suppress_with_total(counts, t)
        column = dict(zip(regions, cells, strict=True))
        made.append(table_release(number, {"125-1": column}, {"125-1": total}, threshold=t))
        for i, values in reader(cells, total, t, cap=40).items():
            high = max(values) if max(values) < 40 else releases.UNBOUNDED
            expected[(number, regions[i])] = (min(values), high)
    findings = releases.audit(made)
    assert {(f.release, f.region): (f.low, f.high) for f in findings} == expected
    assert all(f.safe for f in findings)
    assert any(high == 2 * t for _low, high in expected.values())  # a "*" by a withheld total


def test_no_release_period_overlaps_another_after_the_calendar_changes(settings, make_case):
    """A quarter published, then the calendar set to monthly: the quarter's other months are
    not released (a quarter less two of its months gives the third exactly, and the audit
    does not link periods), and asking for one is refused."""
    from qorgau.core.errors import Conflict
    from tests.fixtures import SYSTEM, local

    make_case(region="KZ-62", registered_at=local(2026, 2, 3, 10))
    settings.RELEASE_CALENDAR = "quarterly"
    q1 = releases.parse_period("2026-Q1")
    releases.publish(SYSTEM, q1, now=local(2026, 4, 10, 9, 0))
    settings.RELEASE_CALENDAR = "monthly"
    keys = [f"{p.start:%Y-%m}" for p in releases.due(dt.date(2026, 6, 10))]
    assert "2026-02" not in keys and "2026-03" not in keys
    assert keys[-2:] == ["2026-04", "2026-05"]
    with translation.override("en"), pytest.raises(Conflict) as refused:
        releases.publish(SYSTEM, releases.parse_period("2026-02"), now=local(2026, 6, 10, 9, 0))
    assert "overlaps release No. 1" in str(refused.value)
    with pytest.raises(Conflict):
        releases.publish(SYSTEM, releases.parse_period("2026-01"), now=local(2026, 6, 10, 9, 0))
    published = releases.publish_due(SYSTEM, now=local(2026, 6, 10, 9, 0))
    assert all(r.period_start > q1.end or r.period_end < q1.start for r in published)
