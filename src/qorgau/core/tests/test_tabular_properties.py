"""The CSV layer every export and import shares (Hypothesis): any table of text — Kazakh and
Russian letters, quotes, commas, line breaks, cells that start with = + - @ — written by the one
writer (``core.tabular``) is read back by the one reader (``core.importing.read_csv_text``) cell
for cell, except that a cell a spreadsheet would run as a formula comes back behind the
apostrophe that keeps it text (and only such a cell)."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from qorgau.core.importing import read_csv_text
from qorgau.core.tabular import DictCsvWriter, is_formula_like

LETTERS = "abcxyzАБВабвЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
TEXT = st.text(alphabet=LETTERS + "0123456789 \"',;\n\r\t=+-@.", max_size=30)
NAMES = st.lists(st.text(alphabet=LETTERS + "_", min_size=1, max_size=12), min_size=1,
                 max_size=5, unique=True)  # fmt: skip


@st.composite
def tables(draw):
    header = draw(NAMES)
    rows = draw(st.lists(st.fixed_dictionaries(dict.fromkeys(header, TEXT)), max_size=6))
    return header, rows


@settings(max_examples=200, deadline=None)
@given(tables())
def test_any_text_table_reads_back_as_written_with_formulas_kept_text(table):
    header, rows = table
    out = io.StringIO()
    writer = DictCsvWriter(out, header)
    writer.writeheader()
    writer.writerows(rows)
    read_header, read_rows = read_csv_text(out.getvalue().encode("utf-8"))
    assert read_header == header
    assert len(read_rows) == len(rows)
    for written, read in zip(rows, read_rows, strict=True):
        for name in header:
            value = written[name]
            assert read[name] == ("'" + value if is_formula_like(value) else value)


def test_a_bare_carriage_return_stays_inside_its_cell():
    out = io.StringIO()
    writer = DictCsvWriter(out, ["title"])
    writer.writeheader()
    writer.writerow({"title": "plan\r=SUM(A1:A9)"})
    _header, rows = read_csv_text(out.getvalue().encode("utf-8"))
    assert [row["title"] for row in rows] == ["plan\r=SUM(A1:A9)"]
