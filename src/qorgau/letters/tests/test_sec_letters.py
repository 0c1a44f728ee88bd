"""The letters services ask the policy and write their audit entry themselves, without a view in
front of them (finding 16): a regional user or a role without ``letters.draft`` is refused and
nothing is written; saving blocks locks the draft and is audited with the blocks' names."""

import io

import pytest
from django.core.management import CommandError, call_command

from qorgau.access import policy
from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.demo.letters import seed_inquiry
from qorgau.letters import services
from qorgau.letters.models import ReplyDraft, ReplyVersion
from qorgau.reference.models import Article
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


@pytest.fixture
def draft(make_case):
    make_case()  # a case in the current year, so that the reply has figures
    inquiry = seed_inquiry()
    return services.regenerate_reply(SYSTEM, inquiry, "ru")


@pytest.fixture
def analyst_national(db):
    return make_user("analyst_national", "analyst")


REFUSED = [
    ("analyst", "KZ-79"),  # the right, but a regional scope: a reply is a national document
    ("prosecutor", "KZ-79"),
    ("registrar", None),  # no right at all
    ("campaign", None),
]


def _entries(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.mark.parametrize(("role", "region"), REFUSED)
def test_regional_or_unentitled_user_cannot_save_blocks_and_nothing_is_written(draft, role, region):
    user = make_user(f"{role}_{region or 'kz'}", role, region)
    before = ReplyDraft.objects.get(pk=draft.pk).blocks
    with pytest.raises(policy.NotAllowed):
        services.edit_reply(Actor.person(user), draft, {"intro": "Сообщаю иное."})
    assert ReplyDraft.objects.get(pk=draft.pk).blocks == before
    assert _entries("reply.edit") == 0


@pytest.mark.parametrize(("role", "region"), REFUSED)
def test_regional_or_unentitled_user_cannot_regenerate_or_produce(draft, role, region):
    user = make_user(f"{role}_{region or 'kz'}", role, region)
    generated, produced = _entries("reply.regenerate"), _entries("reply.produce")
    with pytest.raises(policy.NotAllowed):
        services.regenerate_reply(Actor.person(user), draft.inquiry, "kk")
    with pytest.raises(policy.NotAllowed):
        services.produce_reply(Actor.person(user), draft, "html")
    assert not ReplyDraft.objects.filter(inquiry=draft.inquiry, lang="kk").exists()
    assert not ReplyVersion.objects.exists()
    assert (_entries("reply.regenerate"), _entries("reply.produce")) == (generated, produced)


@pytest.mark.parametrize(("role", "region"), REFUSED)
def test_regional_or_unentitled_user_cannot_read_figures_or_versions(draft, role, region):
    user = make_user(f"{role}_{region or 'kz'}", role, region)
    version = services.produce_reply(SYSTEM, draft, "html")
    article = Article.objects.get(code="115-1")
    with pytest.raises(policy.NotAllowed):
        services.compose(Actor.person(user), draft.inquiry, "ru")
    with pytest.raises(policy.NotAllowed):
        services.reference_paragraph(
            Actor.person(user), article, draft.period_end.replace(day=1), draft.period_end, "ru"
        )
    with pytest.raises(policy.NotAllowed):
        services.version_for_download(Actor.person(user), draft.inquiry_id, version.number)
    assert _entries("reply.reference") == _entries("reply.download") == 0


def test_saving_blocks_writes_one_entry_naming_the_changed_blocks_not_their_text(
    draft, analyst_national
):
    signature = next(b["text"] for b in draft.blocks if b["key"] == "signature")
    services.edit_reply(
        Actor.person(analyst_national),
        draft,
        {"intro": "Рассмотрев запрос, сообщаю.", "signature": signature, "unknown": "x"},
    )
    entry = AuditEntry.objects.get(action="reply.edit")
    assert entry.details == {"lang": "ru", "blocks": ["intro"]}
    assert entry.username == "analyst_national"
    assert entry.object_id == str(draft.inquiry_id)
    assert "Рассмотрев запрос, сообщаю." not in str(entry.before) + str(entry.after)
    # Nothing changed: nothing written.
    services.edit_reply(
        Actor.person(analyst_national), draft, {"intro": "Рассмотрев запрос, сообщаю."}
    )
    assert _entries("reply.edit") == 1


def test_saving_blocks_from_a_stale_page_keeps_another_officials_edit(draft, analyst_national):
    stale = ReplyDraft.objects.get(pk=draft.pk)  # a second official opened the page earlier
    services.edit_reply(Actor.person(analyst_national), draft, {"intro": "Первая правка."})
    services.edit_reply(Actor.person(analyst_national), stale, {"signature": "А. Иванов"})
    blocks = {b["key"]: b["text"] for b in ReplyDraft.objects.get(pk=draft.pk).blocks}
    assert blocks["intro"] == "Первая правка."
    assert blocks["signature"] == "А. Иванов"
    assert {b["key"]: b["text"] for b in stale.blocks}["intro"] == "Первая правка."


def test_a_version_holds_the_draft_as_stored_not_a_stale_copy(draft, analyst_national):
    stale = ReplyDraft.objects.get(pk=draft.pk)
    services.edit_reply(Actor.person(analyst_national), draft, {"intro": "Правка перед выпуском."})
    version = services.produce_reply(Actor.person(analyst_national), stale, "html")
    assert {b["key"]: b["text"] for b in version.blocks}["intro"] == "Правка перед выпуском."
    assert "Правка перед выпуском." in bytes(version.content).decode()


def test_national_reference_paragraph_and_download_are_audited(draft, analyst_national):
    article = Article.objects.get(code="115-1")
    start = draft.period_end.replace(month=1, day=1)
    services.reference_paragraph(
        Actor.person(analyst_national), article, start, draft.period_end, "kk"
    )
    entry = AuditEntry.objects.get(action="reply.reference")
    assert entry.username == "analyst_national"
    assert entry.details["from"] == start.isoformat()
    version = services.produce_reply(Actor.person(analyst_national), draft, "html")
    assert services.version_for_download(
        Actor.person(analyst_national), draft.inquiry_id, version.number
    )
    assert AuditEntry.objects.get(action="reply.download").details == {"version": version.number}


def test_letter_command_as_a_regional_user_is_refused_without_writing(draft, tmp_path):
    make_user("analyst_shymkent", "analyst", "KZ-79")
    out = tmp_path / "reply.html"
    with pytest.raises(CommandError):
        call_command(
            "letter", "--inquiry", "ДС-16", "--format", "html", "-o", str(out),
            "--lang", "ru", "--as-user", "analyst_shymkent", stdout=io.StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError):
        call_command(
            "reference-text", "--article", "115-1", "--from", "2026-01-01", "--to",
            "2026-01-31", "--lang", "ru", "--as-user", "analyst_shymkent", stdout=io.StringIO(),
        )  # fmt: skip
    assert not out.exists() and not ReplyVersion.objects.exists()
    assert _entries("reply.reference") == 0


# Other services that change data ask the policy the same way (finding 16, "look for others").


def test_control_services_refuse_another_regions_prosecutor_with_not_allowed(make_case):
    from qorgau.oversight import services as oversight
    from qorgau.oversight.models import ControlRecord

    case = make_case(region="KZ-79")
    almaty = make_user("prosecutor_almaty", "prosecutor", "KZ-75")
    analyst = make_user("analyst_kz", "analyst")
    for user in (almaty, analyst):
        with pytest.raises(policy.NotAllowed):
            oversight.add_control(Actor.person(user), case, instruction="Проверить сроки")
    assert not ControlRecord.objects.exists()
    control = oversight.add_control(
        Actor.person(make_user("prosecutor_shymkent", "prosecutor", "KZ-79")),
        case,
        instruction="Проверить",
    )
    with pytest.raises(policy.NotAllowed):
        oversight.record_result(Actor.person(almaty), control, "Нарушений нет")
    assert ControlRecord.objects.get().result == ""
    assert not AuditEntry.objects.filter(action="control.result").exists()
    assert AuditEntry.objects.filter(action="control.add").count() == 1  # only the allowed one


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saving_blocks_waits_for_a_concurrent_save_and_keeps_both_edits(make_case, on_postgres):
    """A second official's save waits on the draft's row lock, then applies its edit to the
    blocks as the first one committed them (without the lock, the later commit wins whole)."""
    import threading
    import time

    from django.db import connection, transaction

    make_case()
    draft = services.regenerate_reply(SYSTEM, seed_inquiry(), "ru")
    stale = ReplyDraft.objects.get(pk=draft.pk)
    locked, errors = threading.Event(), []

    def first_official():
        try:
            with transaction.atomic():
                mine = ReplyDraft.objects.select_for_update().get(pk=draft.pk)
                for block in mine.blocks:
                    if block["key"] == "intro":
                        block["text"] = "Правка первого."
                locked.set()
                time.sleep(0.5)
                mine.save(update_fields=["blocks"])
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first_official)
    thread.start()
    assert locked.wait(10)
    started = time.monotonic()
    services.edit_reply(SYSTEM, stale, {"signature": "Правка второго."})
    waited = time.monotonic() - started
    thread.join(10)
    assert not errors
    blocks = {b["key"]: b["text"] for b in ReplyDraft.objects.get(pk=draft.pk).blocks}
    assert blocks["intro"] == "Правка первого."
    assert blocks["signature"] == "Правка второго."
    assert waited >= 0.3


def test_training_coverage_export_asks_the_policy_and_is_audited(db):
    import datetime as dt

    from qorgau.core.actors import Actor
    from qorgau.training import services as training

    with pytest.raises(policy.NotAllowed):
        training.export_coverage(Actor.person(make_user("registrar_79", "registrar", "KZ-79")))
    assert not AuditEntry.objects.filter(action="training.export").exists()
    officer = Actor.person(make_user("training_79", "training", "KZ-79"))
    assert training.export_coverage(officer, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    entry = AuditEntry.objects.get(action="training.export")
    assert (entry.username, entry.region_code) == ("training_79", "KZ-79")
    assert entry.details == {"from": "2026-01-01", "to": "2026-01-31", "format": "xlsx"}
