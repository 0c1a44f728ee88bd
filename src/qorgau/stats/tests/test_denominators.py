"""Loading a population table of the Bureau of National Statistics (CSV or XLSX; regions by
name in Kazakh, Russian or English, by KATO or ISO code), all or nothing, with its source and
vintage shown next to the rates."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import NotAllowed
from qorgau.core.importing import ImportRejected
from qorgau.core.tabular import XlsxBook
from qorgau.reference.models import PopulationFigure, Region
from qorgau.stats import denominators, services
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
SOURCE = "Bureau of National Statistics, population of the RK on 1 January 2026 (stat.gov.kz)"

# As the Bureau's CSV comes: a title, a blank line, the header, the country, then regions.
RUSSIAN_CSV = """\
Численность населения Республики Казахстан по регионам на 1 января 2026 г.,
,
Регион,Численность населения
Республика Казахстан,"20 286 084"
Акмолинская область,"786 412"
г.Алматы,"2 347 924"
область Абай,595676
Жетысуская,"698 001"
"""


def _xlsx(rows) -> bytes:
    book = XlsxBook()
    sheet = book.sheet("Лист1")
    for row in rows:
        sheet.append(row)
    return book.save()


def _figure(code: str, day: dt.date) -> PopulationFigure:
    return PopulationFigure.objects.get(region__code=code, reference_date=day)


def test_a_russian_csv_with_title_rows_loads_every_region_with_source_and_vintage():
    loaded = denominators.load_table(
        SYSTEM, RUSSIAN_CSV.encode(), filename="naselenie.csv", source=SOURCE,
        vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
    )  # fmt: skip
    assert len(loaded) == 4  # the country's row skipped
    akmola = _figure("KZ-11", dt.date(2026, 1, 1))
    assert akmola.population == 786_412 and akmola.source == SOURCE
    assert akmola.vintage == dt.date(2026, 2, 2) and akmola.precision == "exact"
    assert _figure("KZ-33", dt.date(2026, 1, 1)).population == 698_001
    # Almaty city's figure replaced the shipped one (same value here): a revision, audited.
    entry = AuditEntry.objects.filter(action="population.load").get()
    assert entry.details["vintage"] == "2026-02-02" and entry.details["file"] == "naselenie.csv"
    assert entry.details["figures"]["KZ-11 2026-01-01"] == 786_412
    assert entry.details["replaced"] == {"KZ-75 2026-01-01": 2_347_924, "KZ-10 2026-01-01": 595_676}


def test_an_xlsx_with_kazakh_english_and_kato_names_and_a_date_column():
    data = _xlsx(
        [
            ["Халық саны / Population"],
            ["Аумақ", "Күні", "Халық саны"],
            ["Ақмола облысы", "01.01.2025", 780_000],
            ["Jetisu Region", dt.date(2025, 1, 1), 690_000.0],
            ["110000000", "2024-01-01", "775 000"],
            ["Қазақстан Республикасы", "01.01.2025", 20_000_000],
        ]
    )
    loaded = denominators.load_table(
        SYSTEM, data, filename="halyk.xlsx", source=SOURCE, vintage=dt.date(2025, 3, 1)
    )
    assert {(f.region.code, f.reference_date, f.population) for f in loaded} == {
        ("KZ-11", dt.date(2025, 1, 1), 780_000),
        ("KZ-33", dt.date(2025, 1, 1), 690_000),
        ("KZ-11", dt.date(2024, 1, 1), 775_000),
    }


def test_region_spellings_of_published_tables_are_recognised():
    lookup = denominators.region_lookup(list(Region.objects.all()))
    found = {text: denominators.find_region(text, lookup).code for text in (
        "KZ-75", "75", "750000000", "Алматы қаласы", "город Алматы", "Almaty city", "Алматы",
        "Алматы облысы", "Алматинская область", "Almaty Region", "Алматинская обл.",
        "Восточно-Казахстанская область", "East Kazakhstan", "Нур-Султан", "Turkestan Region",
        "область Ұлытау", "Ulytau",
    )}  # fmt: skip
    assert found == {
        "KZ-75": "KZ-75", "75": "KZ-75", "750000000": "KZ-75", "Алматы қаласы": "KZ-75",
        "город Алматы": "KZ-75", "Almaty city": "KZ-75", "Алматы": "KZ-75",
        "Алматы облысы": "KZ-19", "Алматинская область": "KZ-19", "Almaty Region": "KZ-19",
        "Алматинская обл.": "KZ-19", "Восточно-Казахстанская область": "KZ-63",
        "East Kazakhstan": "KZ-63", "Нур-Султан": "KZ-71", "Turkestan Region": "KZ-61",
        "область Ұлытау": "KZ-62", "Ulytau": "KZ-62",
    }  # fmt: skip
    assert denominators.find_region("Атлантида", lookup) is None


def test_a_table_with_any_bad_row_loads_nothing_and_names_every_problem():
    before = list(
        PopulationFigure.objects.values_list("region__code", "reference_date", "population")
    )
    bad = RUSSIAN_CSV + "Атлантида,100\nПавлодарская область,-5\nг.Алматы,2 350 000\n"
    with pytest.raises(ImportRejected) as caught, translation.override("en"):
        denominators.load_table(
            SYSTEM, bad.encode(), filename="bad.csv", source=SOURCE,
            vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
        )  # fmt: skip
    with translation.override("en"):
        errors = [str(e) for e in caught.value.errors]
    assert errors == [
        "row 9, column “region”, value “Атлантида”: unknown region: give its ISO 3166-2 code "
        "(KZ-75), its KATO code (75 or 750000000) or its official name in Kazakh, Russian or "
        "English",
        "row 10, column “population”, value “-5”: expected a positive whole number of people",
        "row 11, column “region”, value “г.Алматы”: this region and date are already on row 6",
    ]
    after = list(
        PopulationFigure.objects.values_list("region__code", "reference_date", "population")
    )
    assert after == before and not AuditEntry.objects.filter(action="population.load").exists()


def test_a_table_without_dates_needs_the_reference_date():
    with pytest.raises(ImportRejected) as caught, translation.override("en"):
        denominators.parse_table(RUSSIAN_CSV.encode(), "naselenie.csv")
    with translation.override("en"):
        assert "give the reference date (--date)" in str(caught.value.errors[0])
    with pytest.raises(ImportRejected) as caught:
        denominators.parse_table("Город,Число\nАстана,1\n".encode(), "x.csv", dt.date(2026, 1, 1))
    assert caught.value.errors[0].row == 1  # no region and population header found


def test_the_command_loads_as_the_operator_and_refuses_a_registrar(tmp_path):
    path = tmp_path / "naselenie.csv"
    path.write_text(RUSSIAN_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("load-population", str(path), "--source", SOURCE, "--vintage", "2026-02-02",
                 "--date", "2026-01-01", "--lang", "en", stdout=out)  # fmt: skip
    assert out.getvalue().strip() == "Population figures loaded: 4."
    assert AuditEntry.objects.get(action="population.load").username == "system:load-population"
    make_user("registrar_almaty", "registrar", "KZ-75")
    with pytest.raises(CommandError):
        call_command("load-population", str(path), "--source", SOURCE, "--vintage",
                     "2026-02-02", "--date", "2026-01-01", "--as-user", "registrar_almaty")  # fmt: skip
    with pytest.raises(NotAllowed):
        denominators.load_table(
            make_user("analyst_kz", "analyst"), RUSSIAN_CSV.encode(), filename="x.csv",
            source=SOURCE, vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
        )  # fmt: skip
    with pytest.raises(CommandError, match="rejected"):
        bad = tmp_path / "bad.csv"
        bad.write_text("Регион,Население\nАтлантида,5\n", encoding="utf-8")
        call_command("load-population", str(bad), "--source", SOURCE, "--vintage", "2026-02-02",
                     "--date", "2026-01-01", "--lang", "en")  # fmt: skip


def test_the_source_and_vintage_are_shown_next_to_the_rates(client):
    denominators.load_table(
        SYSTEM, RUSSIAN_CSV.encode(), filename="naselenie.csv", source=SOURCE,
        vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
    )  # fmt: skip
    filters = services.Filters((), dt.date(2025, 9, 16), dt.date(2025, 12, 31))
    akmola = next(r for r in services.by_region(SYSTEM, filters) if r.region.code == "KZ-11")
    with translation.override("en"):
        assert akmola.as_dict()["population_source"] == SOURCE + " (vintage 2026-02-02)"
    client.cookies["django_language"] = "en"
    client.force_login(make_user("analyst_kz", "analyst"))
    page = client.get("/stats/", {"date_from": "2025-09-16", "date_to": "2025-12-31"})
    assert SOURCE + " (vintage 2026-02-02)" in page.content.decode()
