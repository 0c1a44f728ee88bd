"""Population tables with values no region can have: refused row by row like any other bad
value, not left to the database (PostgreSQL's integer column stops at 2,147,483,647 and
failed the whole command with a traceback), nor to ``int`` (a superscript digit passed
``str.isdigit`` and raised ValueError)."""

import datetime as dt

import pytest

from qorgau.core.actors import Actor
from qorgau.core.importing import ImportRejected
from qorgau.reference.models import PopulationFigure
from qorgau.stats import denominators

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


@pytest.mark.parametrize("value", ["99999999999", "2147483648", "1e9", "150000000", "12³"])
def test_a_population_larger_than_any_region_is_a_row_error(value):
    table = f"Регион,Численность населения\nобласть Абай,{value}\nг.Алматы,2347924\n"
    with pytest.raises(ImportRejected) as rejected:
        denominators.load_table(
            SYSTEM, table.encode(), filename="p.csv", source="BNS",
            vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
        )  # fmt: skip
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "population")]
    assert not PopulationFigure.objects.filter(source="BNS").exists()


def test_the_largest_region_still_loads():
    table = "Регион,Численность населения\nг.Алматы,2347924\n"
    (figure,) = denominators.load_table(
        SYSTEM, table.encode(), filename="p.csv", source="BNS",
        vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
    )  # fmt: skip
    assert figure.population == 2_347_924


def test_a_precision_longer_than_its_column_is_refused_before_the_database():
    from qorgau.core.errors import Invalid

    table = "Регион,Численность населения\nг.Алматы,2347924\n"
    with pytest.raises(Invalid) as refused:
        denominators.load_table(
            SYSTEM, table.encode(), filename="p.csv", source="BNS", precision="x" * 101,
            vintage=dt.date(2026, 2, 2), reference_date=dt.date(2026, 1, 1),
        )  # fmt: skip
    assert refused.value.field == "precision"
