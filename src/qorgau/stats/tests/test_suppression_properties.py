"""Small-count protection against a reader who knows the rule, over generated tables.

The reader sees what is published: exact cells, "<t+1" (a count 1…t; 0…t in a breakdown of
people, where zeros look like small counts), "*" (a hidden count above t) and the total (or
"*" where it is withheld). Two readers are tried:

- one who knows what the labels mean and subtracts: every table of counts in those ranges that
  adds up to the published total is possible (``_readings``);
- for the published table, one who also knows the algorithm: only the tables for which
  :func:`~qorgau.stats.disclosure.suppress_with_total` publishes exactly what was published are
  possible — which cell was chosen to hide, and whether the total was withheld, must give
  nothing away either.

Neither may be left with a single possible value for any count from 1 to t.
"""

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from qorgau.stats import disclosure

# Thresholds from 2: with 1, "<2" means 1 and protects nothing.
thresholds = st.integers(min_value=2, max_value=5)


@st.composite
def tables(draw, max_cells=5, max_count=12):
    """A threshold and a column of counts, mostly small (where disclosure happens)."""
    t = draw(thresholds)
    small = st.integers(min_value=0, max_value=t + 2)
    any_count = st.integers(min_value=0, max_value=max_count)
    counts = draw(st.lists(st.one_of(small, any_count), min_size=1, max_size=max_cells))
    return t, counts


def _ranges(cells: list[str], t: int, cap: int, zero_is_small: bool) -> list[range]:
    """Each cell's possible counts, as the reader who knows the labels sees it."""
    low = 0 if zero_is_small else 1
    ranges = []
    for cell in cells:
        if cell.isdigit():
            ranges.append(range(int(cell), int(cell) + 1))
        elif cell == disclosure.small_label(t):
            ranges.append(range(low, t + 1))
        else:
            ranges.append(range(t + 1, max(cap, t + 1) + 1))
    return ranges


def _readings(
    cells: list[str], total: str, t: int, cap: int, zero_is_small: bool = False
) -> list[tuple[int, ...]]:
    """Every table the reader could suppose: counts in the cells' ranges that add up to the
    total when it is published (any sum when it is withheld). ``cap`` bounds a "*" only to keep
    the search finite; it is above any count that could matter."""
    ranges = _ranges(cells, t, int(total) if total.isdigit() else cap, zero_is_small)
    return [
        combo
        for combo in itertools.product(*ranges)
        if not total.isdigit() or sum(combo) == int(total)
    ]


def _pinned(counts: list[int], readings: list[tuple[int, ...]], cells_at: set[int]) -> list[int]:
    """The cells among ``cells_at`` that have one possible value only."""
    return [i for i in sorted(cells_at) if len({r[i] for r in readings}) == 1]


def _small(counts: list[int], t: int) -> set[int]:
    return {i for i, c in enumerate(counts) if 1 <= c <= t}


# --- The published table (portal): suppress_with_total ------------------------------------


@given(tables())
@example((3, [1, 1, 1]))  # three ones and a total "<4" once gave each away (sum ≤ 3)
@example((3, [1, 4]))  # a withheld total once meant "1 and 4 exactly"
@example((3, [3, 4, 4]))  # hiding the smallest "*" once told it was at most 4
@example((2, [1, 1]))
@settings(max_examples=300, deadline=None)
def test_published_cells_are_true_and_no_small_count_is_shown(table):
    t, counts = table
    cells, total = disclosure.suppress_with_total(counts, t)
    assert len(cells) == len(counts)
    for count, cell in zip(counts, cells, strict=True):
        if 1 <= count <= t:
            assert cell == disclosure.small_label(t)
        elif cell.isdigit():
            assert int(cell) == count  # a published count is the true one
        else:
            assert cell == disclosure.SUPPRESSED_SECONDARY and count > t
    assert total in (str(sum(counts)), disclosure.SUPPRESSED_SECONDARY)


@given(tables())
@example((3, [1, 1, 1]))
@example((3, [0, 1, 1, 1]))
@example((4, [1, 1, 1, 1]))
@example((2, [1, 1]))
@settings(max_examples=300, deadline=None)
def test_a_reader_who_subtracts_cannot_tell_any_small_count(table):
    t, counts = table
    cells, total = disclosure.suppress_with_total(counts, t)
    readings = _readings(cells, total, t, cap=max(counts) + 2 * t)
    assert tuple(counts) in readings
    assert _pinned(counts, readings, _small(counts, t)) == [], (counts, cells, total)


@given(tables(max_cells=4, max_count=9))
@example((3, [1, 4]))
@example((3, [3, 4, 4]))
@example((3, [1, 1]))
@example((3, [4, 1]))
@example((3, [10, 1, 1]))
@settings(max_examples=200, deadline=None)
def test_a_reader_who_knows_the_algorithm_cannot_tell_any_small_count(table):
    t, counts = table
    published = disclosure.suppress_with_total(counts, t)
    cells, total = published
    readings = [
        r
        for r in _readings(cells, total, t, cap=max(counts) + t * len(counts) + 2)
        if disclosure.suppress_with_total(list(r), t) == published
    ]
    assert tuple(counts) in readings
    assert _pinned(counts, readings, _small(counts, t)) == [], (counts, cells, total)


@given(tables())
@settings(max_examples=200, deadline=None)
def test_a_column_without_small_counts_is_published_whole(table):
    t, counts = table
    counts = [c if not 1 <= c <= t else 0 for c in counts]
    assert disclosure.suppress_with_total(counts, t) == ([str(c) for c in counts], str(sum(counts)))


# --- Breakdowns of people (analysts): protected_cells ------------------------------------


@st.composite
def breakdowns(draw):
    """A threshold, the people counted per value, and the values behind which 1…t cases
    stand (``few``: a count above t there is several people of one case or so)."""
    t, counts = draw(tables(max_cells=5, max_count=10))
    few = draw(st.sets(st.sampled_from(range(len(counts))))) if counts else set()
    return t, counts, {i for i in few if counts[i]}


@given(breakdowns())
@example((3, [5, 10, 7], {0}))  # five suspects of one case: hidden with another
@example((3, [10, 1, 1], set()))
@example((3, [0, 0, 2, 9], set()))
@settings(max_examples=300, deadline=None)
def test_a_breakdown_shown_lets_no_small_or_few_cell_be_worked_out_from_its_total(table):
    """The total of a breakdown is known from another one (victims by sex and by age band
    count the same victims), so the reader subtracts with it."""
    t, counts, few = table
    cells = disclosure.protected_cells(counts, t, few)
    if cells is None:
        return  # withheld as a whole
    for count, cell in zip(counts, cells, strict=True):
        if cell.isdigit():
            assert int(cell) == count and count > t
        elif cell == disclosure.small_label(t):
            assert 0 <= count <= t
        else:
            assert cell == disclosure.SUPPRESSED_SECONDARY and count > t
    total = str(sum(counts))
    readings = _readings(cells, total, t, cap=sum(counts), zero_is_small=True)
    assert tuple(counts) in readings
    assert _pinned(counts, readings, _small(counts, t) | few) == [], (counts, few, cells)
