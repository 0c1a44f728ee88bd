"""Each article's ICCS code (UNODC's International Classification of Crime for Statistical
Purposes): data with its source, loaded with the articles, labelled in three languages."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from qorgau.reference import iccs, loaders
from qorgau.reference.models import Article

pytestmark = pytest.mark.django_db


def _articles(path):
    return json.loads(path.read_text(encoding="utf-8"))["articles"]


FILES = [loaders.DATA_DIR / "offences.json", loaders.CRIMINAL_CODE_PATH]


def test_watched_articles_carry_the_codes_of_issue_14():
    assert Article.objects.get(code="115-1").iccs_code == "0208"
    assert Article.objects.get(code="125-1").iccs_code == "020292"
    with translation.override("en"):
        assert Article.objects.get(code="125-1").iccs_label == "Forced marriage"
        assert Article.objects.get(code="115-1").iccs_label == (
            "Acts intended to induce fear or emotional distress"
        )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_article_of_the_data_files_has_a_known_iccs_code(path):
    known = set(iccs.codes())
    for entry in _articles(path):
        code = entry["iccs_code"]
        assert iccs.CODE_RE.match(code), (entry["code"], code)
        assert code in known, (entry["code"], code)


def test_every_iccs_category_has_three_labels_and_the_data_names_its_source():
    data = json.loads(iccs.ICCS_PATH.read_text(encoding="utf-8"))
    assert "ICCS_English_2016_web.pdf" in data["source"]
    for code, labels in data["categories"].items():
        assert labels["en"] and labels["ru"] and labels["kk"], code
    # Only categories that some article is mapped to: no unused labels to keep up.
    used = {entry["iccs_code"] for path in FILES for entry in _articles(path)}
    assert used == set(data["categories"])


def test_label_in_the_active_language_and_the_code_when_unknown():
    with translation.override("ru"):
        assert iccs.label("0502") == "Кража"
    assert iccs.label("0502", "kk") == "Ұрлық"
    assert iccs.label("0999", "en") == "0999"
    assert iccs.label("") == ""


def test_load_reference_fills_the_codes_of_every_article_loaded():
    Article.objects.filter(code="115-1").update(iccs_code="")
    call_command("load-reference", "--all-articles", stdout=io.StringIO())
    assert Article.objects.get(code="115-1").iccs_code == "0208"
    assert Article.objects.get(code="188").iccs_code == "0502"  # theft
    assert not Article.objects.filter(iccs_code="").exists()
