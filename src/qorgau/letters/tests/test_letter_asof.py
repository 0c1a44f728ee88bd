"""A produced reply's figures recomputed "as known at" the instant the letter names: equal to
the letter after later cases, requalifications, status changes, back-dated imports and edited
campaign and training rows — while the live figures have moved (docs/letters.md)."""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from qorgau.campaigns.models import Activity, ActivityStatus, Organisation, Plan, PlanKind
from qorgau.campaigns.services import update_activity
from qorgau.core.errors import Conflict
from qorgau.letters import asof, services
from qorgau.letters.models import Inquiry, ReplyVersion, RowVersion
from qorgau.reference.models import ArticlePart, BodyKind, Region
from qorgau.registry import asof as registry_asof
from qorgau.registry import csvio, lifecycle
from qorgau.registry.models import Case, Qualification, StatusChange
from qorgau.registry.services import requalify
from qorgau.stats import asof as stats_asof
from qorgau.stats import services as stats
from qorgau.training.models import Session, TrainingFormat, TrainingTopic
from qorgau.training.services import create_session
from tests.fixtures import SYSTEM, local

pytestmark = pytest.mark.django_db

PERIOD_END = dt.date(2026, 2, 15)
IMPORT = (
    ",".join(csvio.COLUMNS)
    + "\n,115-1,1,KZ-79,2026-01-20T10:00:00+05:00,investigation,,,,,POL-79,F,25-34,former_partner,0"
    + "\n,125-1,1,KZ-61,2026-02-03T11:00:00+05:00,investigation,,,,,,F,14-17,relative,0\n"
)


def _measures(day: dt.date) -> None:
    """Campaign and training rows the reply's last paragraphs count, written as the demo does."""
    from qorgau.demo import campaigns as demo_campaigns

    demo_campaigns.load(day)


def _later(time_machine, moment: dt.datetime, **delta) -> dt.datetime:
    later = moment + dt.timedelta(**delta)
    time_machine.move_to(later, tick=False)
    return later


def _produce(lang: str = "ru") -> ReplyVersion:
    inquiry = Inquiry.objects.get(number="ДС-16")
    draft = services.regenerate_reply(SYSTEM, inquiry, lang, period_end=PERIOD_END)
    return services.produce_reply(SYSTEM, draft, "html")


def _change_everything(counted: Case) -> None:
    """Later records that move the live figures of the letter of :func:`_produce`."""
    region = Region.objects.get(code="KZ-79")
    # A new case registered inside the period, and two imported ones back-dated into it.
    from qorgau.registry.services import register_case

    register_case(
        SYSTEM, region, article_part=ArticlePart.objects.get(article__code="115-1", number=1),
        registered_at=local(2026, 2, 10, 9, 0),
    )  # fmt: skip
    csvio.import_cases(SYSTEM, IMPORT)
    # A counted case requalified under the other article, and one closed.
    other = "125-1" if counted.article_part.article.code == "115-1" else "115-1"
    requalify(SYSTEM, counted, ArticlePart.objects.get(article__code=other, number=1),
              reason="Квалификация уточнена")  # fmt: skip
    closed = Case.objects.filter(status="investigation").exclude(pk=counted.pk).first()
    lifecycle.transition(SYSTEM, closed, "terminated", ground="no_corpus_delicti",
                         reason="Состав не установлен")  # fmt: skip
    # The media plan's progress, a new akimat plan, training sessions added and deleted.
    national = Plan.objects.filter(kind=PlanKind.NATIONAL).get()
    planned = national.activities.exclude(stored_status=ActivityStatus.DONE).first()
    update_activity(SYSTEM, planned, status=ActivityStatus.DONE, completed_on=PERIOD_END,
                    achieved_reach=planned.achieved_reach + 12345)  # fmt: skip
    org = Organisation.objects.filter(kind="akimat").first() or Organisation.objects.first()
    Plan.objects.create(
        title_kk="Жаңа жоспар", title_ru="Новый план", kind=PlanKind.AKIMAT,
        approved_on=dt.date(2026, 2, 1), approved_by=org, lead=org,
        period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 12, 31), region=region,
    )  # fmt: skip
    create_session(
        SYSTEM, held_on=dt.date(2026, 2, 5), body=BodyKind.POLICE, region=region,
        topics=[TrainingTopic.REGISTRATION], format=TrainingFormat.ONLINE,
        participants={"investigator": 17},
    )  # fmt: skip
    Session.objects.filter(held_on__lte=PERIOD_END).order_by("pk").first().delete()


def test_every_figure_of_a_letter_recomputed_as_of_its_instant_equals_the_letter(
    seed, time_machine
):
    moment = _later(time_machine, timezone.now(), minutes=1)  # after the seed was recorded
    _measures(PERIOD_END)
    version = _produce()
    assert version.figures_as_of == moment
    blocks = {b["key"]: b["text"] for b in version.blocks}
    # Shown in Kazakhstan time, named as official letters name it (not the zone's code).
    shown = f"{timezone.localtime(moment):%d.%m.%Y %H:%M} (по времени Астаны)"
    assert shown in blocks["figures_as_of"]
    kinds = {f["block"].split("_")[0] for f in version.figures}
    assert kinds >= {"figures", "reference", "measures"}
    assert {f["block"] for f in version.figures} >= {
        "measures_media", "measures_local", "measures_training",
    }  # fmt: skip
    counted = Case.objects.filter(
        registered_at__gte=local(2026, 1, 1, 0, 0), registered_at__lt=local(2026, 2, 16, 0, 0)
    ).first()

    now = _later(time_machine, moment, hours=2)
    _change_everything(counted)

    assert asof.verify(SYSTEM, version) == []
    # The test could fail: the same figures read now differ in every kind of block.
    live = asof.verify(SYSTEM, version, at=now)
    assert {d.block.split("_")[0] for d in live} >= {"figures", "reference"}
    assert {d.block for d in live} >= {"measures_media", "measures_local", "measures_training"}
    # …and the letter reproduced from the data now says so too.
    fresh = {(f["block"], f["label"]): f["value"] for f in _produce().figures}
    assert all(fresh.get((d.block, d.label), 0) == d.recomputed for d in live)


def test_the_case_as_known_then_keeps_its_qualification_and_status_then(make_case, time_machine):
    moment = _later(time_machine, timezone.now(), minutes=1)
    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    later = _later(time_machine, moment, hours=1)
    # Requalified and terminated later, both dated back before the instant asked about.
    requalify(SYSTEM, case, ArticlePart.objects.get(article__code="125-1", number=1),
              reason="Уточнено", at=local(2026, 1, 11, 10, 0))  # fmt: skip
    lifecycle.transition(SYSTEM, case, "terminated", ground="no_corpus_delicti",
                         reason="Нет состава", at=local(2026, 1, 12, 10, 0))  # fmt: skip

    then = registry_asof.cases_known(moment).get(pk=case.pk)
    part_then = ArticlePart.objects.get(pk=then.part_then)
    assert (part_then.article.code, then.status_then) == ("115-1", "investigation")
    now = registry_asof.cases_known(later).get(pk=case.pk)
    assert (ArticlePart.objects.get(pk=now.part_then).article.code, now.status_then) == (
        "125-1", "terminated",
    )  # fmt: skip
    assert not registry_asof.cases_known(moment - dt.timedelta(minutes=2)).filter(pk=case.pk)


def test_a_back_dated_import_is_not_known_before_it_was_imported(time_machine):
    moment = _later(time_machine, timezone.now(), minutes=1)
    _later(time_machine, moment, minutes=5)
    imported = csvio.import_cases(SYSTEM, IMPORT)
    filters = stats.Filters(("115-1", "125-1"), dt.date(2026, 1, 1), PERIOD_END)
    assert stats_asof.case_count(SYSTEM, filters, moment) == 0
    assert stats_asof.case_count(SYSTEM, filters, timezone.now()) == len(imported) == 2
    # Every row of the import carries the import's instant as its record time.
    cases = Case.objects.filter(pk__in=[c.pk for c in imported])
    assert {c.created_at for c in cases} == {timezone.now()}
    for model in (Qualification, StatusChange):
        recorded = model.objects.filter(case__in=cases).values_list("recorded_at", flat=True)
        assert set(recorded) == {timezone.now()}


def test_as_of_now_counts_what_the_live_statistics_count(seed):
    """The as-of layer and the live statistics (aggregate tables) apply the same filters."""
    now = timezone.now()
    for article in ("115-1", "125-1"):
        for period in ((dt.date(2025, 9, 16), dt.date(2025, 12, 31)), (None, PERIOD_END)):
            filters = stats.Filters((article,), *period)
            live = {row.region.code: row.count for row in stats.by_region(SYSTEM, filters)}
            assert stats_asof.by_region(SYSTEM, filters, now) == live
            assert (
                stats_asof.case_count(SYSTEM, filters, now) == stats.cases(SYSTEM, filters).count()
            )
            assert sum(live.values()) > 0


def test_campaign_rows_as_known_then(time_machine):
    moment = _later(time_machine, timezone.now(), minutes=1)
    _measures(PERIOD_END)
    activity = Activity.objects.exclude(stored_status=ActivityStatus.DONE).first()
    before = activity.stored_status
    _later(time_machine, moment, minutes=1)
    update_activity(SYSTEM, activity, status=ActivityStatus.DONE, completed_on=PERIOD_END)
    session = Session.objects.first()
    deleted = session.pk
    session.delete()
    then = {a.pk: a for a in asof.rows_as_of(Activity, moment)}
    assert then[activity.pk].stored_status == before
    assert {a.pk: a for a in asof.rows_as_of(Activity, timezone.now())}[
        activity.pk
    ].stored_status == "done"
    assert deleted in {s.pk for s in asof.rows_as_of(Session, moment)}
    assert deleted not in {s.pk for s in asof.rows_as_of(Session, timezone.now())}
    assert not asof.rows_as_of(Plan, moment - dt.timedelta(seconds=1))
    assert RowVersion.objects.filter(model="campaigns.activity", object_id=activity.pk).count() == 2


def test_letter_verify_command_reports_equal_figures_or_the_differences(seed, time_machine):
    moment = _later(time_machine, timezone.now(), minutes=1)
    version = _produce("kk")
    _later(time_machine, moment, hours=1)
    csvio.import_cases(SYSTEM, IMPORT)
    out = io.StringIO()
    call_command("letter-verify", "--inquiry", "ДС-16", "--number", str(version.number),
                 "--lang", "en", stdout=out)  # fmt: skip
    assert f"All {len(version.figures)} figures equal the letter" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="figures differ"):
        call_command("letter-verify", "--inquiry", "ДС-16", "--number", str(version.number),
                     "--at", timezone.now().isoformat(), "--lang", "en", stdout=out)  # fmt: skip
    assert "figures_current / 115-1 2026: letter" in out.getvalue()


def test_a_version_without_its_instant_cannot_be_recomputed(seed):
    version = _produce()
    ReplyVersion.objects.filter(pk=version.pk).update(figures_as_of=None)
    version.refresh_from_db()
    with pytest.raises(Conflict):
        asof.verify(SYSTEM, version)


def test_the_migration_backfills_record_times_no_earlier_than_the_case(make_case):
    case = make_case(registered_at=local(2026, 1, 10, 10, 0))
    requalify(SYSTEM, case, ArticlePart.objects.get(article__code="125-1", number=1),
              reason="Уточнено", at=local(2026, 1, 11, 10, 0))  # fmt: skip
    Qualification.objects.update(recorded_at=local(2000, 1, 1, 0, 0))
    StatusChange.objects.update(recorded_at=local(2000, 1, 1, 0, 0))
    migration = importlib.import_module("qorgau.registry.migrations.0010_recorded_at")
    migration.backfill(apps, None)
    case.refresh_from_db()
    first, second = Qualification.objects.filter(case=case).order_by("id")
    assert first.recorded_at == case.created_at  # registered_at lies before it
    assert second.recorded_at == max(second.qualified_at, case.created_at)
    assert StatusChange.objects.get(case=case).recorded_at == case.created_at
