"""`qorgau load-seed` reproduces every figure of the source letter; `load-demo` keeps them."""

import collections
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qorgau.demo import registry as demo
from qorgau.registry.models import Case, Report

pytestmark = pytest.mark.django_db


def exported_rows():
    out = io.StringIO()
    call_command("export-cases", stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def counts(rows, article, start, end):
    return collections.Counter(
        r["region"]
        for r in rows
        if r["article"] == article and start <= r["registered_at"][:10] <= end
    )


def assert_letter_figures(rows):
    stalking_2026 = counts(rows, "115-1", "2026-01-01", "2026-12-31")
    coercion_2026 = counts(rows, "125-1", "2026-01-01", "2026-12-31")
    # The letter's reference paragraph, read by hand.
    assert (
        stalking_2026["KZ-79"] == 23
        and stalking_2026["KZ-71"] == 16
        and stalking_2026["KZ-75"] == 8
    )
    assert stalking_2026["KZ-55"] == 7 and stalking_2026["KZ-43"] == 7
    assert sum(stalking_2026.values()) == 79
    assert coercion_2026 == {
        "KZ-79": 15,
        "KZ-61": 10,
        "KZ-19": 2,
        "KZ-43": 2,
        "KZ-75": 1,
        "KZ-31": 1,
    }
    assert sum(counts(rows, "115-1", "2025-09-16", "2025-12-31").values()) == 15
    assert sum(counts(rows, "125-1", "2025-09-16", "2025-12-31").values()) == 12
    # Every regional figure of the data file, both articles.
    for block in demo.load_figures()["cases_registered"]:
        if "by_region_iso" in block:
            found = counts(rows, block["article"], block["from"], "2026-12-31")
            assert dict(found) == block["by_region_iso"]
            assert sum(found.values()) == block["total"]


def test_load_seed_then_export_gives_the_letters_figures():
    call_command("load-seed", stdout=io.StringIO())
    rows = exported_rows()
    assert len(rows) == 15 + 12 + 79 + 31
    assert all(r["demo"] == "1" for r in rows)
    assert all(
        "2026-01-01" <= r["registered_at"][:10] <= "2026-02-15"
        for r in rows
        if r["registered_at"] >= "2026"
    )
    assert_letter_figures(rows)


def test_seed_refuses_to_load_twice_unless_replaced():
    call_command("load-seed", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("load-seed", stdout=io.StringIO())
    call_command("load-seed", "--replace", stdout=io.StringIO())
    assert Case.objects.count() == 137


def test_demo_adds_history_only_after_the_letters_period(demo):
    import datetime as dt

    from tests.fixtures import DEMO_NOW, local

    # `load_demo(now=DEMO_NOW)`, loaded once per run for every test that reads the demo.
    assert local(2026, 6, 30, 12, 0) == DEMO_NOW
    result = demo
    assert result["more_cases"] > 50 and result["other_reports"] == 90
    rows = exported_rows()
    # The letter's 2026 figures hold for its period (up to 2026-02-15), demo or not.
    early = [r for r in rows if r["registered_at"][:10] <= "2026-02-15"]
    assert_letter_figures(early)
    statuses = collections.Counter(r["status"] for r in rows)
    assert statuses["sent_to_court"] and statuses["terminated"] and statuses["suspended"]
    assert Report.objects.filter(decision="pending").exists()
    assert all(c.is_demo for c in Case.objects.all())
    assert not Case.objects.filter(registered_at__gt=local(2026, 6, 30, 12, 0)).exists()
    assert (
        Case.objects.filter(registered_at__date__gt=dt.date(2026, 2, 15)).count()
        == result["more_cases"]
    )


def test_load_demo_command_leaves_loaded_demo_data_as_it_is(demo):
    cases, reports = Case.objects.count(), Report.objects.count()
    out = io.StringIO()
    call_command("load-demo", "--if-empty", stdout=out)
    assert out.getvalue().strip()  # says it is already loaded
    with pytest.raises(CommandError):
        call_command("load-demo", stdout=io.StringIO())  # a second load needs --replace
    assert (Case.objects.count(), Report.objects.count()) == (cases, reports)
