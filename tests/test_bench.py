"""The scale benchmarks run (docs/scaling.md): CI runs ``bench/run.py`` at a small scale only
to prove every measure still works end to end — the numbers are not judged here (speed is
measured by the benchmark on a quiet machine, never by a timed test), but a wrong result is: a
statistic unequal to its raw count, an export unequal to its COPY, a gap in the numbers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import OWNER_URL, RESTRICTED

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
def test_every_benchmark_runs_at_a_small_scale_and_its_results_are_right(tmp_path):
    # The benchmark makes its own scratch database: as the owner role in the restricted mode of
    # `.ci/run` (it may create databases), else as the configured (superuser) role.
    login = OWNER_URL if RESTRICTED else os.environ["DATABASE_URL"]
    server = login.rsplit("/", 1)[0] + "/postgres"  # the maintenance database, to create one
    env = {**os.environ, "DATABASE_URL": server, "SECRET_KEY": "bench-" + "x" * 50,
           "QORGAU_VAR_DIR": str(tmp_path)}  # fmt: skip
    for name in ("DATABASE_OWNER_URL", "DJANGO_SETTINGS_MODULE"):  # the production settings
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--cases", "300", "--runs", "1", "--seconds", "1",
         "--no-http"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for title in ("start-up", "import and export, 300 rows", "national data set",
                  "statistics at 300 cases", "search at 300 cases", "registration, 16 clients"):  # fmt: skip
        assert f"\n{title}\n" in out, title
    assert "same bytes as the COPY: True" in out
    assert "chain whole" in out
    assert "dashboard /stats/ default view" in out
