"""`qorgau synth`: a synthetic national data set that obeys the register's rules (docs/synth.md)."""

import collections
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from qorgau.demo import synth
from qorgau.reference import rules
from qorgau.reference.models import Article, ArticlePart, Body, Region
from qorgau.registry import lifecycle, numbering, services
from qorgau.registry.choices import CaseStatus, Decision
from qorgau.registry.models import (
    Case,
    CaseNumberSequence,
    Party,
    Qualification,
    Report,
    StatusChange,
    TermExtension,
)
from tests.fixtures import SYSTEM

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 30, 12, 0))
PLAN = synth.Plan(cases=600, reports=1500, seed=7, from_year=2023, to_year=2026)


def generate(plan=PLAN):
    synth.load_articles()
    return synth.synthesise(plan, now=NOW)


@pytest.fixture
def national(db):
    return generate()


def test_writes_the_counts_asked(national):
    assert Case.objects.count() == 600 and Report.objects.count() == 1500
    assert not Case.objects.filter(is_demo=False).exists()
    assert not Report.objects.filter(is_demo=False).exists()
    assert Qualification.objects.filter(reason="").count() == 600
    assert StatusChange.objects.filter(from_status="").count() == 600
    assert national["parties"] == Party.objects.count() > 600
    # Each case was opened on one report, registered when the case was.
    linked = Report.objects.filter(cases__isnull=False)
    assert linked.count() == 600
    assert not linked.exclude(decision=Decision.REGISTERED).exists()
    assert Case.objects.annotate(n=Count("reports")).filter(n=1).count() == 600


def test_numbers_are_gapless_per_year_and_region_in_registration_order(national):
    by_sequence = collections.defaultdict(list)
    for case in Case.objects.select_related("region").order_by("registered_at", "id"):
        year = timezone.localtime(case.registered_at).year
        assert case.number_year == year
        assert case.number == numbering.format_number(year, case.region, case.number_seq)
        by_sequence[(case.region_id, year)].append(case.number_seq)
    for (region, year), seqs in by_sequence.items():
        assert seqs == list(range(1, len(seqs) + 1))
        counter = CaseNumberSequence.objects.get(region_id=region, year=year)
        assert counter.last_value == len(seqs)


def test_the_next_registration_continues_the_sequence(national):
    region = Region.objects.get(code="KZ-75")
    counter = CaseNumberSequence.objects.get(region=region, year=2026)
    case = services.register_case(
        SYSTEM,
        region,
        article_part=ArticlePart.objects.get(article__code="188", number=1),
        registered_at=NOW - dt.timedelta(hours=1),
        investigating_body=Body.objects.filter(region=region).first(),
    )
    assert case.number_seq == counter.last_value + 1
    assert case.pk > Case.objects.exclude(pk=case.pk).aggregate(m=Max("id"))["m"]
    report = services.create_report(
        SYSTEM, region, received_at=NOW - dt.timedelta(hours=2), channel="call_102",
        receiving_body=Body.objects.filter(region=region).first(), summary="Тексеру / проверка",
    )  # fmt: skip
    assert report.pk > Report.objects.exclude(pk=report.pk).aggregate(m=Max("id"))["m"]


def replay(case, changes):
    """Check each status change of ``case`` with the lifecycle, as if it were made now."""
    first, *rest = changes
    assert (first.from_status, first.to_status, first.changed_at) == (
        "", CaseStatus.INVESTIGATION, case.registered_at,
    )  # fmt: skip
    state = Case(pk=case.pk, number=case.number, article_part=case.article_part,
                 registered_at=case.registered_at, status=first.to_status,
                 status_at=first.changed_at)  # fmt: skip
    for change in rest:
        assert change.from_status == state.status
        lifecycle.check_transition(
            state, change.to_status, ground=change.ground, reason=change.reason,
            joined_to=case.joined_to if change.to_status == CaseStatus.JOINED else None,
            at=change.changed_at,
        )  # fmt: skip
        state.status, state.status_at = change.to_status, change.changed_at
    assert (state.status, state.status_at) == (case.status, case.status_at)


def test_every_history_is_one_the_lifecycle_allows(national, monkeypatch):
    # The lifecycle refuses a change dated after "now": the data was generated at NOW.
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    changes = collections.defaultdict(list)
    for change in StatusChange.objects.order_by("changed_at", "id"):
        changes[change.case_id].append(change)
    cases = Case.objects.select_related("article_part__article", "joined_to")
    for case in cases:
        replay(case, changes[case.pk])
    statuses = set(cases.values_list("status", flat=True))
    assert {CaseStatus.SENT_TO_COURT, CaseStatus.TERMINATED, CaseStatus.SUSPENDED} <= statuses
    assert (
        StatusChange.objects.filter(to_status=CaseStatus.INVESTIGATION)
        .exclude(from_status="")
        .exists()
    )  # some resumptions


def test_terms_and_extensions_follow_the_rules(national):
    ruleset = rules.RuleSet()
    cases = Case.objects.select_related("article_part__article").prefetch_related(
        "extensions", "status_changes"
    )
    assert TermExtension.objects.exists()
    for case in cases:
        assert case.term_ends_on == rules.case_term_end(case, ruleset=ruleset)
        limit = rules.case_term_limit(case, ruleset=ruleset)
        for extension in case.extensions.all():
            assert case.registered_at < extension.extended_at <= NOW
            assert extension.new_end <= limit
            assert lifecycle.term_running(CaseStatus.INVESTIGATION)


def test_every_row_passes_the_models_validation(national):
    for model in (Case, Report, Qualification, StatusChange, TermExtension, Party):
        for row in model.objects.order_by("?")[:60]:
            row.full_clean()
    assert not Report.objects.filter(decision=Decision.SENT_ELSEWHERE, decision_note="").exists()
    assert (
        not Report.objects.exclude(decision=Decision.PENDING)
        .filter(decided_at__isnull=True)
        .exists()
    )
    pending = Report.objects.filter(decision=Decision.PENDING)
    assert pending.exists()
    assert pending.aggregate(first=Min("received_at"))["first"] > NOW - dt.timedelta(days=5)


def test_cases_are_registered_after_their_article_came_into_force(national):
    for code, in_force in Article.objects.values_list("code", "in_force_on"):
        first = Case.objects.filter(article_part__article__code=code).aggregate(
            first=Min("registered_at")
        )["first"]
        assert first is None or timezone.localtime(first).date() >= in_force


def test_data_is_skewed_by_region_article_and_weekday(national):
    by_region = collections.Counter(Case.objects.values_list("region__code", flat=True))
    assert by_region["KZ-75"] > by_region["KZ-62"]  # Almaty city ≫ Ulytau
    by_article = collections.Counter(
        Case.objects.values_list("article_part__article__code", flat=True)
    )
    assert by_article["188"] > 5 * by_article["293"] > 0
    assert by_article["188"] > 20 * by_article["115-1"]
    weekdays = collections.Counter(
        timezone.localtime(at).weekday()
        for at in Case.objects.values_list("registered_at", flat=True)
    )
    assert sum(weekdays[day] for day in range(5)) / 5 > weekdays[6]  # working days > Sunday


def test_refuses_a_registry_that_already_has_cases(national):
    with pytest.raises(synth.Conflict):
        generate()


def test_the_same_seed_gives_the_same_data(db):
    generate(synth.Plan(cases=200, reports=300, seed=3, from_year=2025, to_year=2026))
    first = list(Case.objects.order_by("id").values_list("number", "article_part_id", "status"))
    Case.objects.update(joined_to=None)
    Case.objects.all().delete()
    Report.objects.all().delete()
    CaseNumberSequence.objects.all().delete()
    generate(synth.Plan(cases=200, reports=300, seed=3, from_year=2025, to_year=2026))
    again = list(Case.objects.order_by("id").values_list("number", "article_part_id", "status"))
    assert again == first


def test_command_prints_its_summary(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("synth", "--cases", "50", "--from-year", "2025", "--lang", "en",
                 stdout=out, stderr=err)  # fmt: skip
    assert Case.objects.count() == 50 and Report.objects.count() == 250
    assert "50 cases, 250 reports" in out.getvalue()
    assert "cases" in err.getvalue()


@pytest.mark.postgres
def test_on_postgresql_copy_writes_a_valid_registry(on_postgres, db):
    counts = generate(synth.Plan(cases=3000, reports=9000, seed=11, from_year=2024))
    assert counts["cases"] == Case.objects.count() == 3000
    assert Report.objects.count() == 9000
    gaps = Case.objects.values("region", "number_year").annotate(
        n=Count("id"), top=Max("number_seq"), low=Min("number_seq")
    )
    assert all(g["n"] == g["top"] and g["low"] == 1 for g in gaps)
    # The indexes dropped for the load are back.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'registry_report_summary_fts'"
        )
        assert cursor.fetchone()[0] == 1
    region = Region.objects.get(code="KZ-79")
    year = timezone.localdate().year
    last = CaseNumberSequence.objects.get(region=region, year=year).last_value
    case = services.register_case(
        SYSTEM, region, article_part=ArticlePart.objects.get(article__code="190", number=1),
        registered_at=timezone.now() - dt.timedelta(minutes=5),
    )  # fmt: skip
    assert case.number_seq == last + 1
    for row in Case.objects.order_by("?")[:30]:
        row.full_clean()


def test_the_other_articles_load_only_when_asked(db):
    call_command("load-reference", stdout=io.StringIO())
    assert set(Article.objects.values_list("code", flat=True)) == {"115-1", "125-1"}
    call_command("load-reference", "--all-articles", stdout=io.StringIO())
    articles = Article.objects.exclude(code__in=["115-1", "125-1"]).prefetch_related("parts")
    assert articles.count() >= 40
    for article in articles:
        assert article.law.number == "226-V" and "K1400000226" in article.source
        assert article.title_kk and article.title_ru and article.title_en
        gravities = {part.gravity for part in article.parts.all()}
        # A misdemeanour's parts have no gravity; a crime's parts all have one.
        assert (gravities == {""}) == (article.category == "misdemeanour")


def test_joined_cases_point_to_an_earlier_case_of_their_region(national):
    joined = Case.objects.filter(status=CaseStatus.JOINED).select_related("joined_to")
    assert joined.count() >= 600 * 0.01
    for case in joined:
        assert case.joined_to.region_id == case.region_id
        assert case.joined_to.registered_at <= case.registered_at
        assert case.joined_to.status != CaseStatus.JOINED
