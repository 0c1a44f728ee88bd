"""Properties of the cases CSV (docs/cases-csv.md), over files Hypothesis makes up.

Any file within the format's domain — every article and part, regions, registrations around
midnight and New Year in Kazakhstan time (written with the offset, without it, with a space, in
UTC), every status with its details, cases joined to cases of the same file, victims with and
without consent, ERDR numbers, numbers given by the file or left to the system — imports, and:

- the export shows each case as the file described it (the victim only with consent);
- every (region, year) sequence holds exactly 1..n;
- export → import into an empty database → export gives the same bytes.
"""

import collections
import csv
import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qorgau.core.importing import ImportRejected
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import csvio, numbering
from qorgau.registry.choices import (
    AgeBand,
    CaseStatus,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from qorgau.registry.models import Case
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=ALMATY)  # the clock while the files are imported
IN_FORCE = dt.datetime(2025, 9, 16, 0, 0, tzinfo=ALMATY)
# A few regions, so that rows share sequences; the years 2025 and 2026 both occur.
REGIONS = ["KZ-79", "KZ-71", "KZ-61"]
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def reference() -> dict:
    """What a row may name, from the reference data of the test database."""
    parts = [
        (p.article.code, str(p.number), p.article.reconciliation_allowed)
        for p in ArticlePart.objects.select_related("article").order_by("article__code", "number")
    ]
    bodies = collections.defaultdict(list)
    for body in Body.objects.select_related("region").filter(region__code__in=REGIONS):
        bodies[body.region.code].append(body.code)
    return {
        "parts": parts,
        "bodies": {code: sorted(codes) for code, codes in bodies.items()},
        "regions": {r.code: r for r in Region.objects.filter(code__in=REGIONS)},
    }


def moments(start: dt.datetime, end: dt.datetime):
    """Moments to the second; Hypothesis leans to the ends, and midnight is given a chance."""
    naive = st.datetimes(
        min_value=start.replace(tzinfo=None), max_value=end.replace(tzinfo=None)
    ).map(lambda d: d.replace(microsecond=0))
    near_midnight = st.dates(
        min_value=start.date() + dt.timedelta(days=1), max_value=end.date()
    ).flatmap(
        lambda day: st.sampled_from(
            [dt.time(0, 0), dt.time(0, 30), dt.time(23, 30), dt.time(23, 59, 59)]
        ).map(lambda t: dt.datetime.combine(day, t))
    )
    return st.one_of(naive, near_midnight).map(lambda d: d.replace(tzinfo=ALMATY))


def written(moment: dt.datetime, style: str) -> str:
    """A date-time as a file may write it (docs/cases-csv.md: with the offset or without it,
    then Kazakhstan time, and a space for the T)."""
    if style == "offset":
        return moment.isoformat()
    if style == "utc":
        return moment.astimezone(dt.UTC).isoformat()
    if style == "naive":
        return moment.replace(tzinfo=None).isoformat()
    return moment.replace(tzinfo=None).isoformat(sep=" ")


DATE_STYLES = st.sampled_from(["offset", "utc", "naive", "space"])


@st.composite
def case_files(draw, ref):
    """A file of 1–8 cases in the format's domain, as row dicts of its cells."""
    rows = []
    for _i in range(draw(st.integers(1, 8))):
        article, part, reconciliation = draw(st.sampled_from(ref["parts"]))
        region = draw(st.sampled_from(REGIONS))
        registered = draw(moments(IN_FORCE, NOW - dt.timedelta(days=40)))
        status = draw(st.sampled_from(CaseStatus.values))
        grounds = [
            g for g in TerminationGround.values if g and (reconciliation or g != "reconciliation")
        ]
        ground = {
            CaseStatus.TERMINATED: draw(st.sampled_from(grounds)),
            CaseStatus.SUSPENDED: draw(st.sampled_from([g for g in SuspensionGround.values if g])),
        }.get(status, "")
        later = draw(st.none() | st.integers(0, 30 * 86400))  # seconds after registration
        status_at = None if later is None else registered + dt.timedelta(seconds=later)
        victim = draw(
            st.none() | st.tuples(st.sampled_from(Sex.values), st.sampled_from(AgeBand.values))
        )
        rows.append(
            {
                "article": article,
                "part": part,
                "region": region,
                "registered": registered,
                "registered_at": written(registered, draw(DATE_STYLES)),
                "status": status,
                "status_at": written(status_at, draw(DATE_STYLES)) if status_at else "",
                "status_moment": status_at or registered,
                "termination_ground": ground if status == CaseStatus.TERMINATED else "",
                "suspension_ground": ground if status == CaseStatus.SUSPENDED else "",
                "investigating_body": draw(st.sampled_from(["", *ref["bodies"].get(region, [])])),
                "victim_sex": victim[0] if victim else "",
                "victim_age_band": victim[1] if victim else "",
                "victim_consent": draw(st.sampled_from(["", "0", "1"])) if victim else "",
                "relationship": draw(st.sampled_from(["", *Relationship.values])),
                "demo": draw(st.sampled_from(["", "0", "1"])),
                "erdr_number": "",
                "number": "",
                "joined_to": "",
            }
        )
    erdr = draw(
        st.lists(
            st.from_regex(r"\A[0-9]{15}\Z"), unique=True, min_size=len(rows), max_size=len(rows)
        )
    )
    for row, number in zip(rows, erdr, strict=True):
        row["erdr_number"] = number if draw(st.booleans()) else ""
    _give_numbers(draw, rows, ref)
    _join(draw, rows)
    return rows


def _give_numbers(draw, rows, ref):
    """Some rows of each (region, year) carry their number: then exactly the first ones of the
    sequence (the database is empty), in any order (docs/cases-csv.md, Numbers)."""
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row["region"], row["registered"].year)].append(row)
    for (region, year), members in groups.items():
        given = [row for row in members if draw(st.booleans())]
        for row, seq in zip(given, draw(st.permutations(range(1, len(given) + 1))), strict=True):
            row["number"] = numbering.format_number(year, ref["regions"][region], seq)


def _join(draw, rows):
    """Joined cases name a case of the file by its number; that case is not itself joined."""
    targets = [row for row in rows if row["number"] and row["status"] != CaseStatus.JOINED]
    for row in rows:
        if row["status"] != CaseStatus.JOINED:
            continue
        candidates = [t for t in targets if t is not row]
        if candidates:
            row["joined_to"] = draw(st.sampled_from(candidates))["number"]
        else:
            row["status"] = CaseStatus.INVESTIGATION


def as_csv(rows) -> str:
    out = io.StringIO()
    out.write(",".join(csvio.COLUMNS) + "\n")
    for row in rows:
        # Written by hand, as another system would; quoting every cell is valid RFC 4180.
        out.write(",".join(f'"{row[c]}"' if row[c] else "" for c in csvio.COLUMNS) + "\n")
    return out.getvalue()


def imported(text: str) -> None:
    """Import ``text``; a refusal fails the test with every error of the file, in English."""
    try:
        csvio.import_cases(SYSTEM, text)
    except ImportRejected as refused:
        with translation.override("en"):
            pytest.fail(f"{refused.report()}\n{text}")


def export_text() -> str:
    out = io.StringIO()
    csvio.export_cases(Case.objects.all(), out)
    return out.getvalue()


def expected_row(row) -> dict:
    """The export's row for a generated case (the number aside when the system gave it)."""
    consented = bool(row["victim_sex"]) and row["victim_consent"] == "1"
    return {
        "number": row["number"],
        "article": row["article"],
        "part": row["part"],
        "region": row["region"],
        "registered_at": row["registered"].isoformat(),
        "status": row["status"],
        "status_at": row["status_moment"].isoformat(),
        "termination_ground": row["termination_ground"],
        "suspension_ground": row["suspension_ground"],
        "joined_to": row["joined_to"],
        "investigating_body": row["investigating_body"],
        "victim_sex": row["victim_sex"] if consented else "",
        "victim_age_band": row["victim_age_band"] if consented else "",
        "relationship": row["relationship"] if consented else "",
        "demo": "1" if row["demo"] == "1" else "0",
        "victim_consent": "1" if consented else "",
        "erdr_number": row["erdr_number"],
    }


def parsed(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_file_of_the_domain_round_trips(data):
    with time_machine.travel(NOW, tick=False):
        round_trip(data)


def round_trip(data):
    with transaction.atomic():
        ref = reference()
        rows = data.draw(case_files(ref))
        imported(as_csv(rows))
        first = export_text()
        exported = parsed(first)
        # Each case as the file described it; where the system gave the number, any number.
        given = {r["number"] for r in rows if r["number"]}
        found = collections.Counter(
            tuple(({**e, "number": ""} if e["number"] not in given else e).values())
            for e in exported
        )
        assert found == collections.Counter(tuple(expected_row(r).values()) for r in rows)
        # Gapless: each (region, year) holds 1..n.
        sequences = collections.defaultdict(list)
        for e in exported:
            year = dt.datetime.fromisoformat(e["registered_at"]).year  # Kazakhstan's year
            assert e["number"].startswith(f"{year:04d}-")
            sequences[(e["region"], year)].append(int(e["number"][-6:]))
        for numbers in sequences.values():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))
        # Export → import into an empty database → export: the same bytes.
        transaction.set_rollback(True)
    with transaction.atomic():
        imported(first)
        assert export_text() == first
        transaction.set_rollback(True)
