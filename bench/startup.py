"""Start-up benchmark (issue 13, item 3): how long each ``qorgau`` command takes to start.

Times ``qorgau COMMAND --help`` as a new process for every command of the project and a few of
Django's (median and 95th percentile over --runs runs, after one warm-up), beside two raw
baselines measured in the same run: ``python -c pass`` (the interpreter alone) and
``python -c "import django"``. Each command's ratio is to the second: what Qorgau's settings,
apps and the command's own imports add to Django itself. The goal is every command ≤ 1 s (p95);
a line over it says so. No database is touched (``--help`` does not connect).

For reference, one more line times what the heavy libraries that are now loaded on first use
(SciPy's statistics and statsmodels) would add to a start if a module imported them again.

    .venv/bin/python bench/startup.py [--runs 10] [--only stats letter]

``measures(scale)`` gives the same lines to bench/run.py (the scale does not change a start).
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Measure, print_measures, timed

GOAL_MS = 1000.0
# Django's own commands worth timing beside the project's: the ones an operator runs.
DJANGO_COMMANDS = ("check", "migrate", "collectstatic", "runserver", "shell")
HEAVY_IMPORTS = "import scipy.stats, statsmodels.api"


def environment() -> dict[str, str]:
    """The production settings with a throw-away key unless one is set (``--help`` needs no
    database, so DATABASE_URL may be anything or nothing)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "qorgau.settings"
    env.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)
    return env


def qorgau_command() -> list[str]:
    """The ``qorgau`` console script beside this Python (what an operator runs), else
    ``python -m qorgau``."""
    script = Path(sys.executable).with_name("qorgau")
    if script.exists():
        return [str(script)]
    found = shutil.which("qorgau")
    return [found] if found else [sys.executable, "-m", "qorgau"]


def command_names() -> list[str]:
    """The project's own commands (their app is ``qorgau.*``), then DJANGO_COMMANDS; asked of
    a child process, so this one needs no settings."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import get_commands\n"
        "for name, app in sorted(get_commands().items()):\n"
        "    print(name, app)\n"
    )
    out = subprocess.run(  # noqa: S603 (this Python, fixed code)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment(),
        check=True,
        timeout=120,
    ).stdout
    pairs = [line.split(" ", 1) for line in out.splitlines() if line.strip()]
    own = [name for name, app in pairs if app.startswith("qorgau")]
    # (`migrate` is the project's own: audit/management/commands/migrate.py.)
    django = [name for name, _ in pairs if name in DJANGO_COMMANDS and name not in own]
    return own + django


def run(argv: list[str]) -> None:
    """Run a process to its end, quietly; a failure stops the benchmark."""
    subprocess.run(  # noqa: S603 (this Python or the qorgau script, fixed arguments)
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment(),
        check=True,
        timeout=120,
    )


def timed_process(argv: list[str], runs: int) -> tuple[float, float, float]:
    """Median and p95 wall time (ms) of running ``argv`` to its end, and its mean CPU time
    (user + system, ms): on a machine shared with other work the wall time grows with the
    load, the CPU time much less, so both are reported."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    median, p95 = timed(lambda: run(argv), runs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return median, p95, cpu * 1000 / (runs + 1)  # timed() runs it once more to warm up


def measures(scale: int = 0, runs: int = 5, only: list[str] | None = None) -> list[Measure]:
    """One Measure per command's ``--help`` (ratio to ``python -c "import django"``), and the
    two raw baselines and the heavy-import reference as lines of their own. ``scale`` is
    accepted for bench/run.py and ignored: a start does not depend on the data."""
    del scale
    python = sys.executable
    bare, bare_p95, bare_cpu = timed_process([python, "-c", "pass"], runs)
    django, django_p95, django_cpu = timed_process([python, "-c", "import django"], runs)
    result = [
        Measure("raw: python -c pass", bare, bare_p95, note=f"cpu {bare_cpu:.0f} ms"),
        Measure(
            "raw: python -c 'import django'",
            django,
            django_p95,
            note=f"cpu {django_cpu:.0f} ms; the ÷ raw of the lines below",
        ),
    ]
    qorgau = qorgau_command()
    for args in [[], *([name] for name in only or command_names())]:
        median, p95, cpu = timed_process([*qorgau, *args, "--help"], runs)
        name = " ".join(["qorgau", *args, "--help"])
        result.append(Measure(name, median, p95, django, f"cpu {cpu:.0f} ms; {verdict(p95)}"))
    heavy, heavy_p95, heavy_cpu = timed_process([python, "-c", HEAVY_IMPORTS], runs)
    result.append(
        Measure(
            f"ref: python -c '{HEAVY_IMPORTS}'",
            heavy,
            heavy_p95,
            django,
            f"cpu {heavy_cpu:.0f} ms; what importing them again would add",
        )
    )
    return result


def verdict(p95_ms: float) -> str:
    return "≤ 1 s" if p95_ms <= GOAL_MS else "OVER 1 s (goal ≤ 1 s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per line (default 10)")
    parser.add_argument("--only", nargs="+", metavar="COMMAND", help="time only these commands")
    args = parser.parse_args()
    lines = measures(runs=args.runs, only=args.only)
    print_measures(f"Start-up: qorgau COMMAND --help as a new process, {args.runs} runs", lines)
    over = [m.name for m in lines if m.name.startswith("qorgau") and m.p95_ms > GOAL_MS]
    print(
        f"\n{len(over)} command(s) over {GOAL_MS:.0f} ms at p95"
        + (": " + ", ".join(over) if over else "")
    )


if __name__ == "__main__":
    main()
