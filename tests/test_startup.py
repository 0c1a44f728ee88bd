"""Fast start (issue 13, item 3): a command's start-up loads no heavy library.

SciPy (2.3 s to import), statsmodels (1.6 s), WeasyPrint, python-docx, openpyxl and the others
load inside the function that uses them, so ``qorgau stats --help`` starts as fast as
``qorgau --help``. These tests look at what a process has imported (``sys.modules``), not at the
clock: how long a start takes is measured by bench/startup.py.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Libraries that cost from a tenth of a second to seconds to import; none is needed to start.
HEAVY = (
    "scipy",
    "statsmodels",
    "weasyprint",
    "docx",
    "openpyxl",
    "numpy",
    "pandas",
    "pymorphy3",
    "matplotlib",
)

# Runs the ``qorgau`` console script with the given arguments, then prints (last line of its
# output) the heavy top-level packages the process imported.
WRAPPER = """
import json, sys
from qorgau.__main__ import main
sys.argv = ["qorgau", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
finally:
    heavy = sorted({name.split(".")[0] for name in sys.modules} & set(%r))
    print("\\nHEAVY " + json.dumps(heavy))
""" % (HEAVY,)  # noqa: UP031 (the tuple is written into the code as its repr)

# Every command's parser, built and printed in one process: every project command and Django's.
EVERY_COMMAND = """
import io, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qorgau.settings")
import django
django.setup()
from django.core.management import get_commands, load_command_class
names = sorted(get_commands().items())
for name, app in names:
    command = load_command_class(app, name)
    command.create_parser("qorgau", name).print_help(io.StringIO())
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(%r))
print(json.dumps({"commands": [name for name, _ in names], "heavy": heavy}))
""" % (HEAVY,)  # noqa: UP031


def environment(tmp_path: Path) -> dict[str, str]:
    """Production settings (qorgau.settings) with a throw-away key, writing only to tmp_path."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"SECRET_KEY": "startup-test-key-" + "x" * 40, "QORGAU_VAR_DIR": str(tmp_path)})
    return env


def imported_by(args: list[str], tmp_path: Path) -> list[str]:
    """The heavy packages ``qorgau ARGS`` imported; fails if the command fails."""
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.rstrip().splitlines()[-1]
    assert last.startswith("HEAVY "), result.stdout
    assert "usage:" in result.stdout.lower() or "subcommand" in result.stdout.lower()
    return json.loads(last.removeprefix("HEAVY "))


@pytest.mark.parametrize(
    "args", [["stats", "--help"], ["letter", "--help"], ["--help"]], ids=" ".join
)
def test_command_help_imports_no_heavy_library(args, tmp_path):
    assert imported_by(args, tmp_path) == []


def test_the_wrapper_sees_a_heavy_library_when_one_is_imported(tmp_path):
    # The check above can fail: a command that does load SciPy is seen doing so.
    result = subprocess.run(
        [sys.executable, "-c", "import scipy.stats\n" + WRAPPER, "--help"],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "scipy" in json.loads(result.stdout.rstrip().splitlines()[-1].removeprefix("HEAVY "))


def test_no_command_of_the_project_or_django_loads_a_heavy_library_to_start(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", EVERY_COMMAND],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.rstrip().splitlines()[-1])
    # The project's own commands are among those built (the list is not empty by mistake).
    assert {"stats", "letter", "import-cases", "export-cases", "migrate"} <= set(found["commands"])
    assert found["heavy"] == []
