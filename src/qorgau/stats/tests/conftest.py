"""Fixtures of the statistics tests."""

import datetime as dt

import pytest

from qorgau.stats.models import Release


@pytest.fixture
def table_release():
    """``table_release(number, cells, totals, **fields)``: an unsaved release holding only a
    published table, for the disclosure audit (``releases.audit``): January 2026, threshold 3,
    its articles and regions those of ``cells`` in their order; ``fields`` override any."""

    def make(number: int, cells: dict, totals: dict, **fields) -> Release:
        values = {
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 1, 31),
            "threshold": 3,
            "articles": list(cells),
            "regions": list(next(iter(cells.values()))),
        }
        return Release(number=number, cells=cells, totals=totals, **(values | fields))

    return make
