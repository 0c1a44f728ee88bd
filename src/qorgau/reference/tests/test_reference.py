"""Reference data: regions, population, offences — loaded by migrations, with sources."""

import json

import pytest
from django.db import transaction

from qorgau.core.importing import ImportRejected
from qorgau.reference import loaders, population
from qorgau.reference.models import Article, ArticlePart, Law, PopulationFigure, Region

pytestmark = pytest.mark.django_db

ISO_CODES = {
    "KZ-10": "Abai", "KZ-11": "Akmola", "KZ-15": "Aktobe", "KZ-19": "Almaty Region",
    "KZ-23": "Atyrau", "KZ-27": "West Kazakhstan", "KZ-31": "Zhambyl", "KZ-33": "Jetisu",
    "KZ-35": "Karaganda", "KZ-39": "Kostanay", "KZ-43": "Kyzylorda", "KZ-47": "Mangystau",
    "KZ-55": "Pavlodar", "KZ-59": "North Kazakhstan", "KZ-61": "Turkistan", "KZ-62": "Ulytau",
    "KZ-63": "East Kazakhstan", "KZ-71": "Astana", "KZ-75": "Almaty", "KZ-79": "Shymkent",
}  # fmt: skip


def test_twenty_regions_seventeen_oblasts_three_cities():
    regions = list(Region.objects.all())
    assert {r.code for r in regions} == set(ISO_CODES)
    assert sorted(r.code for r in regions if r.kind == "city") == ["KZ-71", "KZ-75", "KZ-79"]
    assert sum(r.kind == "oblast" for r in regions) == 17
    for region in regions:
        assert ISO_CODES[region.code].split()[0] in region.name_en
        assert region.name_kk and region.name_ru and region.short_kk and region.short_ru
        assert region.source


def test_official_order_lists_oblasts_then_astana_almaty_shymkent():
    codes = list(Region.objects.values_list("code", flat=True))
    assert codes[0] == "KZ-10" and codes[-3:] == ["KZ-71", "KZ-75", "KZ-79"]


def test_new_oblasts_have_official_russian_noun_names():
    names = dict(Region.objects.values_list("code", "name_ru"))
    assert names["KZ-10"] == "область Абай"
    assert names["KZ-33"] == "область Жетісу"
    assert names["KZ-62"] == "область Ұлытау"
    assert names["KZ-55"] == "Павлодарская область"
    short = dict(Region.objects.values_list("code", "short_ru"))
    assert short["KZ-55"] == "Павлодарская"


def test_almaty_city_and_almaty_region_are_different_regions():
    city, oblast = Region.objects.get(code="KZ-75"), Region.objects.get(code="KZ-19")
    assert city.kind == "city" and oblast.kind == "oblast"
    assert city.name_kk == "Алматы қаласы" and oblast.name_kk == "Алматы облысы"


def test_population_has_source_and_date_and_none_invented_for_akmola_and_jetisu():
    assert not PopulationFigure.objects.filter(region__code__in=["KZ-11", "KZ-33"]).exists()
    shymkent = population.latest(Region.objects.get(code="KZ-79"))
    assert shymkent.population == 1293648
    assert shymkent.reference_date.isoformat() == "2026-01-01"
    assert shymkent.precision == "exact"
    assert "baq.kz" in shymkent.source  # the release as reported, with its address
    assert PopulationFigure.objects.count() == 18


def test_latest_population_respects_the_period_end():
    pavlodar = Region.objects.get(code="KZ-55")
    assert population.latest(pavlodar).reference_date.isoformat() == "2023-01-01"
    import datetime as dt

    assert population.latest(pavlodar, dt.date(2022, 12, 31)) is None


GOOD_TABLE = (
    "region,reference_date,population,precision,source\n"
    "KZ-11,2027-01-01,790000,exact,BNS release of 2027-02-01\n"
    "KZ-33,2027-01-01,700000,exact,BNS release of 2027-02-01\n"
)


def test_administrator_loads_a_newer_population_table():
    count = loaders.load_population(Region, PopulationFigure, GOOD_TABLE.encode())
    assert count == 2
    akmola = population.latest(Region.objects.get(code="KZ-11"))
    assert akmola.population == 790000 and akmola.source == "BNS release of 2027-02-01"


def test_population_table_with_bad_rows_loads_nothing_and_names_every_error():
    bad = GOOD_TABLE + "KZ-99,2027-01-01,12,exact,x\nKZ-79,2027-13-01,-5,,x\n"
    before = PopulationFigure.objects.count()
    with pytest.raises(ImportRejected) as info, transaction.atomic():
        loaders.load_population(Region, PopulationFigure, bad.encode())
    errors = {(e.row, e.column) for e in info.value.errors}
    assert errors == {(4, "region"), (5, "reference_date"), (5, "population"), (5, "precision")}
    assert PopulationFigure.objects.count() == before


def test_population_upload_page_in_admin(client, admin_user, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, admin_user)
    url = "/admin/reference/populationfigure/load/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("t.csv", b"region\nKZ-79\n")})
    assert response.status_code == 200  # rejected, shown again with the errors
    assert b"reference_date" in response.content
    response = client.post(url, {"file": SimpleUploadedFile("t.csv", GOOD_TABLE.encode())})
    assert response.status_code == 302
    assert PopulationFigure.objects.filter(region__code="KZ-33").exists()


def test_offences_with_parts_titles_category_and_law():
    stalking = Article.objects.get(code="115-1")
    coercion = Article.objects.get(code="125-1")
    assert stalking.category == "misdemeanour" and coercion.category == "crime"
    assert stalking.in_force_on.isoformat() == coercion.in_force_on.isoformat() == "2025-09-16"
    assert stalking.law.number == "210-VIII" and stalking.law.signed_on.isoformat() == "2025-07-16"
    assert coercion.title_kk == "Некеге тұруға мәжбүрлеу"
    assert coercion.parts.count() == 3 and stalking.parts.count() == 1
    for part in ArticlePart.objects.all():
        assert part.penalty_kk and part.penalty_ru and part.penalty_en


def test_adding_an_article_is_a_data_change(tmp_path):
    data = json.loads((loaders.DATA_DIR / "offences.json").read_text(encoding="utf-8"))
    new = dict(data["articles"][0], code="109-1", title_en="Test offence")
    new["parts"] = [dict(data["articles"][0]["parts"][0])]
    data["articles"].append(new)
    path = tmp_path / "offences.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    loaders.load_offences(Law, Article, ArticlePart, path)
    assert Article.objects.get(code="109-1").parts.count() == 1
    # Applying the same file again changes nothing.
    loaders.load_offences(Law, Article, ArticlePart, path)
    assert Article.objects.filter(code="109-1").count() == 1
