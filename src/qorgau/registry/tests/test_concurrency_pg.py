"""Concurrent registration on PostgreSQL: 8 processes import cases without numbers at the same
moment; the numbers must be unique and without gaps per region and year."""

import collections
import os
import subprocess
import sys

import pytest
from django.db import connection

from qorgau.registry.models import Case
from qorgau.registry.numbering import parse_number

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROCESSES = 8
ROWS_PER_FILE = 12
REGIONS = ["KZ-79", "KZ-71", "KZ-75"]


def _csv(index: int) -> str:
    lines = ["number,article,part,region,registered_at,status"]
    for row in range(ROWS_PER_FILE):
        # Each file touches the regions in a different order, to provoke lock-order deadlocks.
        region = REGIONS[(row + index) % len(REGIONS)]
        lines.append(f",115-1,1,{region},2026-03-{1 + row:02d}T10:00:00+05:00,investigation")
    return "\n".join(lines) + "\n"


def test_parallel_imports_give_unique_gapless_numbers(tmp_path, on_postgres):
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "qorgau.settings",
           "SECRET_KEY": "concurrency-test-key-" + "x" * 40}  # fmt: skip
    files = []
    for index in range(PROCESSES):
        path = tmp_path / f"cases-{index}.csv"
        path.write_text(_csv(index), encoding="utf-8")
        files.append(path)
    # Start all processes first, then wait: they register at the same time.
    procs = [
        subprocess.Popen([sys.executable, "-m", "qorgau", "import-cases", str(p), "--lang", "en"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for p in files
    ]  # fmt: skip
    results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    for _out, err, code in results:
        assert code == 0, err
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == PROCESSES * ROWS_PER_FILE
    assert len(set(numbers)) == len(numbers)
    by_region = collections.defaultdict(list)
    for number in numbers:
        year, region, seq = parse_number(number)
        by_region[(year, region)].append(seq)
    for seqs in by_region.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    assert sum(len(s) for s in by_region.values()) == PROCESSES * ROWS_PER_FILE
