"""Numbers and dates per language (qorgau/core/formats, USE_THOUSAND_SEPARATOR).

Grouping thousands is for counts a person reads; a number printed into a link, a form value, a
data attribute or an SVG coordinate must stay plain digits ("?page=1 234" is a broken link), and
a record's id is a name, not a quantity. Every staff page and every public page is rendered in
Kazakh with records whose ids pass 10 000 and looked at.
"""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation

from qorgau.access.tests.test_access import TABLE, url_for
from qorgau.access.tests.test_access import world as world  # the fixture
from tests.fixtures import local, make_user, owner_connection

pytestmark = pytest.mark.django_db

FIRST_ID = 12345
GROUPED = re.compile(r"\d[\u00a0\u202f]\d{3}(?!\d)")  # kk groups with a no-break space
YEAR_GROUPED = re.compile(r"(?<!\d)2\u00a00[2-3]\d(?!\d)")
ATTRIBUTE = re.compile(r"""\s([\w:-]+)=(?:"([^"]*)"|'([^']*)')""")
# The records the world fixture creates, by their model's table.
BUMPED = [
    "registry_case", "registry_report", "oversight_controlrecord", "campaigns_plan",
    "campaigns_activity", "campaigns_evidence", "campaigns_organisation", "letters_inquiry",
    "registry_party", "auth_user", "audit_auditentry",
]  # fmt: skip


def _start_ids_at(first: int) -> None:
    """New rows of the tables above get ids from ``first`` on."""
    with connection.cursor() as cursor:
        for table in BUMPED:
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first - 1]
                )
            elif connection.vendor == "postgresql":
                # setval needs UPDATE on the sequence, which the application role of `.ci/run`
                # does not have: the owner sets it (a sequence is outside transactions anyway).
                with owner_connection() as owner:
                    owner.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first - 1]
                    )


@pytest.fixture
def big_world(db, request):
    _start_ids_at(FIRST_ID)
    return request.getfixturevalue("world")


def _pages(objects):
    for name, (method, _allowed, kind) in TABLE.items():
        if method == "get":
            yield url_for(name, kind, objects)
    for name in ("home", "help", "self_check", "statistics"):
        yield reverse(f"portal:{name}")
    yield reverse("admin:index")
    yield reverse("admin:registry_case_changelist")
    yield reverse("admin:registry_report_changelist")


def _grouped_attributes(html: str) -> list[str]:
    found = []
    for match in ATTRIBUTE.finditer(html):
        value = match.group(2) or match.group(3) or ""
        if GROUPED.search(value):
            found.append(match.group(0).strip())
    return found


def test_kazakh_formats_are_24_hour_with_a_no_break_space_and_a_decimal_comma():
    moment = local(2025, 9, 16, 14, 5)
    with translation.override("kk"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "16.09.2025 14:05"
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "16.09.2025"
        assert formats.time_format(moment.time()) == "14:05"
        assert formats.date_format(moment.date()).startswith("2025 жылғы 16 ")
        assert formats.number_format(1234567) == "1\u00a0234\u00a0567"
        assert formats.number_format(1234.5, 1) == "1\u00a0234,5"
    with translation.override("ru"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "16.09.2025 14:05"
        assert formats.number_format(1234.5, 1) == "1\u00a0234,5"
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "16 September 2025, 14:05"
        assert formats.number_format(1234.5, 1) == "1,234.5"


def test_a_date_input_keeps_iso_and_a_typed_local_date_is_accepted():
    from django import forms

    class DateForm(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("kk"):
        assert 'value="2025-09-16"' in str(DateForm(initial={"day": local(2025, 9, 16).date()}))
        for typed in ("2025-09-16", "16.09.2025"):
            form = DateForm({"day": typed})
            assert form.is_valid() and form.cleaned_data["day"].isoformat() == "2025-09-16"


def test_no_page_prints_a_grouped_number_into_a_link_a_value_or_a_coordinate(
    client, login, big_world
):
    objects = big_world["KZ-79"]
    assert objects["case"].pk >= FIRST_ID and objects["report"].pk >= FIRST_ID
    admin = make_user("admin_formats", "administrator", is_staff=True, is_superuser=True)
    login(client, admin)
    ids = {
        str(objects[k].pk) for k in ("case", "report", "control", "plan", "activity", "evidence")
    }
    checked, problems = 0, {}
    with translation.override("kk"):
        grouped_ids = {formats.number_format(int(i)) for i in ids}
    for url in _pages(objects):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="kk")
        if "html" not in response.get("Content-Type", ""):
            continue
        if response.status_code != 200:
            problems[url] = response.status_code
            continue
        html = response.content.decode()
        found = _grouped_attributes(html) + [g for g in grouped_ids if g in html]
        found += YEAR_GROUPED.findall(html)  # a year is a name too: "2 026" is wrong
        if found:  # an id is a name, never grouped, in an attribute or in the text
            problems[url] = found
        checked += 1
    assert problems == {}
    assert checked > 30


def test_a_count_of_a_thousand_or_more_is_shown_grouped(client, login, big_world):
    from qorgau.registry.models import Report

    report = big_world["KZ-79"]["report"]
    fields = {f.attname: getattr(report, f.attname) for f in Report._meta.concrete_fields}
    fields.pop("id")
    Report.objects.bulk_create([Report(**fields) for _ in range(1000)])
    pending = Report.objects.filter(decision=report.decision).count()
    assert pending >= 1000
    admin = make_user("admin_counts", "administrator", is_staff=True, is_superuser=True)
    login(client, admin)
    with translation.override("kk"):
        shown = formats.number_format(pending)
    assert "\u00a0" in shown
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert shown in html


def _marked_msgids() -> list[tuple[str | None, str]]:
    """The (context, msgid) pairs core/django_kk.py marks."""
    import ast
    from pathlib import Path

    from qorgau.core import django_kk

    found = []
    for node in ast.walk(ast.parse(Path(django_kk.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "pgettext_lazy":
                found.append((args[0], args[1]))
            elif node.func.id in ("gettext_noop", "ngettext_lazy"):
                found.append((None, args[0]))
    return found


def test_every_django_message_we_translate_is_djangos_own():
    """A msgid that Django does not have (a typo, a straight quote for a curly one) would be
    translated in our catalogue and never shown."""
    from pathlib import Path

    import axes
    import django
    import polib

    roots = [Path(django.__file__).parent, Path(axes.__file__).parent]
    known = set()
    for root in roots:
        for path in root.glob("**/locale/ru/LC_MESSAGES/django.po"):
            known |= {(e.msgctxt, e.msgid) for e in polib.pofile(str(path))}
    for path in (Path(django.__file__).parent / "contrib" / "admin" / "locale" / "en").glob(
        "LC_MESSAGES/django.po"
    ):
        known |= {(e.msgctxt, e.msgid) for e in polib.pofile(str(path))}
    marked = _marked_msgids()
    assert len(marked) > 90
    assert [m for m in marked if m not in known] == []


def test_the_admin_names_every_app_and_model_in_the_readers_language():
    """The admin's index lists apps and models by translated names (no "Axes", "Otp_Totp")."""
    from django.contrib import admin
    from django.utils.functional import Promise

    untranslated = set()
    for model in admin.site._registry:
        config = model._meta.app_config
        if not isinstance(config.verbose_name, Promise):
            untranslated.add(config.label)
        if not isinstance(model._meta.verbose_name_plural, Promise):
            untranslated.add(model._meta.label)
    # django-otp names its device in English only ("TOTP device", not a translatable string).
    assert untranslated <= {"otp_totp.TOTPDevice", "registry.CaseNumberSequence"}


def test_a_chart_writes_its_numbers_in_the_pages_language_and_its_coordinates_plain():
    from qorgau.stats import charts

    with translation.override("kk"):
        svg = str(
            charts.bar_chart([("Алматы", 1234.5, None, None), ("Астана", 12, None, None)], "t")
        )
    assert "1\u00a0234,5" in svg and "1234.5" not in svg
    assert _grouped_attributes(svg) == []
    with translation.override("en"):
        assert "1,234.5" in str(charts.bar_chart([("A", 1234.5, None, None)], "t"))


def test_a_reply_names_its_year_without_a_thousands_separator():
    import datetime as dt

    from django.template.loader import render_to_string

    context = {"in_force": dt.date(2025, 9, 16), "counts": [], "day": dt.date(2026, 3, 1)}
    for lang in ("kk", "ru"):
        with translation.override(lang):
            text = render_to_string(f"letters/reply/figures_first_year.{lang}.txt", context)
            assert "2025" in text and "2\u00a0025" not in text, lang
            text = render_to_string(
                f"letters/reply/measures_local.{lang}.txt", {**context, "count": 0, "regions": []}
            )
            assert "2026" in text and "2\u00a0026" not in text, lang
