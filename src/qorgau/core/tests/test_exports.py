"""CSV downloads: machine-readable codes and plain UTF-8 by default, byte for byte as before;
``?header=labels`` gives the header row in the reader's language with a UTF-8 byte order mark
(for Excel), ``?bom=1`` the mark alone (docs/exports.md)."""

import pytest
from django.utils import translation

from qorgau.core.tabular import BOM
from qorgau.registry import csvio
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db

# url -> (the first header cells by default, the same with ?header=labels in English)
EXPORTS = {
    "/registry/cases/export.csv": (["number", "article", "part"], ["Number", "Article", "Part of the article"]),
    "/oversight/export.csv": (["category", "ref", "status"], ["Section", "Record", "Status"]),
    "/audit/export.csv": (["at", "username", "source"], ["Time", "User", "Source"]),
    "/stats/export/regions.csv": (["region", "name", "count"], ["Region code", "Region", "Cases"]),
    "/kk/statistics.csv": (["region", "name"], ["Region code", "Region"]),
}  # fmt: skip


def _header(text: str) -> list[str]:
    line = next(line for line in text.splitlines() if not line.startswith(("# ", BOM + "# ")))
    return line.removeprefix(BOM).split(",")


@pytest.fixture
def admin(client, login):
    return login(
        client, make_user("admin_exports", "administrator", is_staff=True, is_superuser=True)
    )


def test_by_default_a_file_has_codes_and_no_byte_order_mark(client, admin, make_case):
    make_case()
    for url, (codes, _labels) in EXPORTS.items():
        text = client.get(url, HTTP_ACCEPT_LANGUAGE="en").getvalue().decode("utf-8")
        assert not text.startswith(BOM), url
        assert _header(text)[: len(codes)] == codes, url


def test_labels_give_the_readers_language_and_a_byte_order_mark(client, admin, make_case):
    make_case()
    for url, (_codes, labels) in EXPORTS.items():
        url_en = url.replace("/kk/", "/en/")
        response = client.get(url_en + "?header=labels", HTTP_ACCEPT_LANGUAGE="en")
        text = response.getvalue().decode("utf-8")
        assert text.startswith(BOM), url
        assert _header(text)[: len(labels)] == labels, url
        assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_bom_alone_keeps_the_codes(client, admin, make_case):
    make_case()
    for url, (codes, _labels) in EXPORTS.items():
        text = client.get(url + "?bom=1").getvalue().decode("utf-8")
        assert text.startswith(BOM) and _header(text)[: len(codes)] == codes, url


def test_the_case_export_with_labels_reads_back_only_by_codes():
    """Labels are for people: every column code has a label, and no label is a code."""
    assert set(csvio.COLUMN_LABELS) == set(csvio.COLUMNS)
    with translation.override("en"):
        assert not {str(v) for v in csvio.COLUMN_LABELS.values()} & set(csvio.COLUMNS)
