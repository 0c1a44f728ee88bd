"""Free text may not identify anyone, and the audit trail never copies it (finding 9a).

Text with an IIN (valid check digit), a phone number or an e-mail address is refused by the
one validator in ``qorgau.core.privacy``, wherever it comes from: a page (the message next to
the field), a service (a domain error naming the field), the admin or ``full_clean``, or any
other save. Sensitive free-text fields are named in the trail when they change, never copied.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from qorgau.audit.models import AuditEntry
from qorgau.audit.tests.test_audit import admin_form
from qorgau.core import privacy
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.oversight import services as oversight
from qorgau.oversight.models import ControlRecord
from qorgau.reference.models import ArticlePart, Body
from qorgau.registry import lifecycle, services
from qorgau.registry.models import Report, StatusChange, TermExtension
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db

# A valid IIN (check digit by the first weights), one valid only by the second weights (the
# first sum mod 11 is 10), and the IIN of the public validator's example.
IIN = "900101300007"
IIN_SECOND_WEIGHTS = "900101300811"
IDENTIFYING = [
    f"Заявитель, ИИН {IIN}, сообщил о преследовании",
    "Звонила по номеру +7 (701) 123-45-67",
    "тел. 8 701 123 45 67",
    "номер 87011234567",
    "писал на aigerim.k@mail.kz",
]
HARMLESS = [
    "Неизвестный преследует заявительницу у места работы",
    "Дело 2026-79-000001 и ЕРДР 261234567890123",  # case and ERDR numbers
    "БИН 040440001234 (организация)",  # an organisation's number is no one's identity
    "Охват 2 302 493 человек, 12 15 20 30",
    "Постановление прокурора района от 01.02.2026 № 15",
]


def test_iin_check_digit_follows_the_decree():
    assert privacy.is_iin(IIN)
    assert privacy.is_iin("061211600012")
    # First weighted sum is 10 (mod 11): the check digit comes from the second weights.
    values = [int(d) for d in IIN_SECOND_WEIGHTS]
    assert sum(w * v for w, v in zip(range(1, 12), values, strict=False)) % 11 == 10
    assert privacy.is_iin(IIN_SECOND_WEIGHTS)
    assert not privacy.is_iin(IIN[:-1] + "8")  # wrong check digit
    assert not privacy.is_iin("901301300001")  # no 13th month


@pytest.mark.parametrize("text", IDENTIFYING)
def test_identifying_text_is_found(text):
    assert privacy.find(text) in {"iin", "phone", "email"}
    with pytest.raises(ValidationError):
        privacy.validate(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_case_text_is_accepted(text):
    assert privacy.find(text) is None


# Written to slip past the check (the outside review of finding 9a): a letter glued to the
# number, runs of separators, dots and slashes between the groups, the "@" spelled out.
OBFUSCATED = [
    ("тел87012345678", "phone"),
    ("тел+77012345678", "phone"),
    ("номер 8 [701] 123/45/67", "phone"),
    (f"ИИН {IIN[:6]}  {IIN[6:]}", "iin"),
    (f"ИИН {IIN[:6]}.{IIN[6:]}", "iin"),
    (f"ИИН {IIN[:6]}/{IIN[6:]}", "iin"),
    (f"ИИН{IIN[:6]} - {IIN[6:]}", "iin"),
    (f"ИИН {IIN[:4]}.{IIN[4:8]}.{IIN[8:]}", "iin"),
    (f"ИИН {IIN} 2 экз.", "iin"),
    ("a.b[at]mail.ru", "email"),
    ("a.b (at) mail.ru", "email"),
    ("a.b собака mail.ru", "email"),
    ("a.b at mail.ru", "email"),
    ("A.B (AT) MAIL.RU", "email"),
    ("a.b @ mail.ru", "email"),
    ("a.b[собака]mail[точка]ru", "email"),
    ("a.b@mail(dot)ru", "email"),
]
# Ordinary text that the wider patterns must still accept.
STILL_HARMLESS = [
    # Dates side by side: "010120250103" is a valid IIN, but these are two dates.
    "Сроки: 01.01.2025 01.03.2026 15.10.2026",
    "с 01/01/2025 01/03/2026",
    "ст. 115-1, дело 2026-79-000123",
    "ущерб 70 123 456 тенге, 1 500 000 тенге",
    "его собака 2.5 года назад укусила соседа",
    "встреча at 10.00 у школы",
]


@pytest.mark.parametrize(("text", "kind"), OBFUSCATED)
def test_identifying_text_written_to_slip_past_the_check_is_found(text, kind):
    assert privacy.find(text) == kind


@pytest.mark.parametrize("text", STILL_HARMLESS)
def test_ordinary_text_near_the_wider_patterns_is_accepted(text):
    assert privacy.find(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "1" * 100_000,
        "7 " * 50_000,
        "a." * 50_000 + "@b",
        "+7 " * 30_000,
        "1.1." * 25_000,
        "1  " * 33_000,
        "a at " * 20_000,
        "a (at) " * 14_000,
        "x" + " " * 100_000,
    ],
)
def test_the_check_takes_linear_time_on_a_long_hostile_text(text):
    """A 100 KB summary is checked in well under a second (a pattern that restarts at every
    character took 100 s on 100 000 letters)."""
    import time

    started = time.perf_counter()
    privacy.find(text)
    assert time.perf_counter() - started < 1.0


@pytest.fixture
def registrar_client(client, login, registrar):
    login(client, registrar)
    client.cookies["django_language"] = "en"
    return client


def test_registrar_cannot_enter_a_report_summary_with_an_iin_and_sees_why_next_to_it(
    registrar_client, shymkent
):
    body = Body.objects.filter(region=shymkent).first()
    response = registrar_client.post(
        "/registry/reports/new/",
        {"received_at": "2026-01-09T09:00", "channel": "call_102", "receiving_body": body.pk,
         "region": shymkent.pk, "summary": IDENTIFYING[0]},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["summary"] == [str(privacy.MESSAGES["iin"])]
    assert "Remove the IIN" in response.content.decode()
    assert not Report.objects.exists()


def test_investigator_cannot_extend_a_term_naming_the_official_by_phone(client, login, make_case):
    case = make_case()
    login(client, make_user("investigator_79", "investigator", "KZ-79"))
    response = client.post(
        f"/registry/cases/{case.number}/extend/",
        {"amount": 1, "unit": "months", "authorised_by": "Прокурор города, тел. 8 701 123 45 67",
         "reason": "экспертиза"},
    )  # fmt: skip
    assert "authorised_by" in response.context["form"].errors
    assert not TermExtension.objects.exists()


@pytest.mark.parametrize("text", IDENTIFYING)
def test_services_refuse_identifying_free_text_naming_the_field(text, make_case, shymkent):
    body = Body.objects.filter(region=shymkent).first()
    with pytest.raises(Invalid) as refused:
        services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=body, summary=text)  # fmt: skip
    assert refused.value.field == "summary"
    case = make_case()
    with pytest.raises(Invalid) as refused:
        services.extend_term(SYSTEM, case, amount=1, unit="months", authorised_by=text, reason="x")
    assert refused.value.field == "authorised_by"
    with pytest.raises(Invalid) as refused:
        services.requalify(SYSTEM, case, ArticlePart.objects.get(article__code="125-1", number=1), reason=text)  # fmt: skip
    assert refused.value.field == "reason"
    with pytest.raises(Invalid) as refused:
        lifecycle.transition(SYSTEM, case, "suspended", ground="suspect_unknown", reason=text)
    assert refused.value.field == "reason"
    with pytest.raises(Invalid) as refused:
        oversight.add_control(Actor.person(make_user("prosecutor_kz", "prosecutor")), case, instruction=text)  # fmt: skip
    assert refused.value.field == "instruction"
    control = oversight.add_control(Actor.person(make_user("prosecutor_kz2", "prosecutor")), case, instruction="Проверить сроки")  # fmt: skip
    with pytest.raises(Invalid) as refused:
        oversight.record_result(
            Actor.person(make_user("prosecutor_kz3", "prosecutor")), control, text
        )
    assert refused.value.field == "result"
    assert not Report.objects.exists() and not TermExtension.objects.exists()
    assert StatusChange.objects.filter(case=case).count() == 1
    assert ControlRecord.objects.get().result == ""


def test_a_decision_note_with_an_email_is_refused(shymkent):
    report = services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=Body.objects.filter(region=shymkent).first(), summary="Сообщение")  # fmt: skip
    with pytest.raises(Invalid) as refused:
        lifecycle.decide(SYSTEM, report, "sent_elsewhere", note="передано: user@example.kz")
    assert refused.value.field == "note"
    assert Report.objects.get().decision == "pending"


def test_admin_full_clean_and_any_other_save_refuse_identifying_text(shymkent):
    report = Report(
        received_at=local(2026, 1, 9, 9, 0), channel="call_102", region=shymkent,
        receiving_body=Body.objects.filter(region=shymkent).first(), summary=IDENTIFYING[1],
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert set(refused.value.message_dict) == {"summary"}
    with pytest.raises(ValidationError):
        report.save()  # a shell, an import, a forgotten path: the pre_save guard
    assert not Report.objects.exists()


def test_admin_change_form_shows_the_refusal_next_to_the_field(client, login, shymkent):
    report = services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=Body.objects.filter(region=shymkent).first(), summary="Сообщение")  # fmt: skip
    admin = make_user("admin_kz", "administrator", is_staff=True, is_superuser=True)
    login(client, admin)
    url = f"/admin/registry/report/{report.pk}/change/"
    data = admin_form(client, url)
    data["summary"] = IDENTIFYING[4]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "summary" in response.context["adminform"].form.errors
    assert Report.objects.get().summary == "Сообщение"


def test_campaign_evidence_note_file_name_and_cancel_reason_refuse_identifying_text(db):
    from qorgau.campaigns import services as campaigns
    from qorgau.campaigns.models import Activity, Evidence, Organisation, Plan

    org = Organisation.objects.create(name_kk="Министрлік", name_ru="Министерство",
                                      kind="state_body")  # fmt: skip
    plan = Plan.objects.create(
        title_kk="Жоспар", title_ru="План", kind="national", approved_on=dt.date(2026, 1, 30),
        approved_by=org, lead=org, period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 12, 31),
    )  # fmt: skip
    activity = Activity.objects.create(
        plan=plan, title_kk="Іс-шара", title_ru="Мероприятие", kind="video", responsible=org,
        due_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    system = Actor.system("test")
    with pytest.raises(Invalid) as refused:
        campaigns.add_evidence(system, activity, url="https://example.kz/a", note=IDENTIFYING[2])
    assert refused.value.field == "note"
    pdf = SimpleUploadedFile(f"заявление {IIN}.pdf", b"%PDF-1.4\n%\xe2\xe3\n", "application/pdf")
    with pytest.raises(Invalid) as refused:
        campaigns.add_evidence(system, activity, file=pdf)
    assert refused.value.field == "file"
    with pytest.raises(Invalid) as refused:
        campaigns.update_activity(
            system, activity, status="cancelled", cancel_reason=IDENTIFYING[3]
        )
    assert refused.value.field == "cancel_reason"
    assert not Evidence.objects.exists()
    assert Activity.objects.get().stored_status != "cancelled"


def test_audit_export_names_changed_sensitive_fields_but_never_their_text(
    client, login, make_case, shymkent
):
    """The reviewer's path: /audit/export.csv as prosecutor_shymkent held the summary's text."""
    summary = "Преследует у школы на улице Бейбітшілік"
    report = services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 9, 9, 0), channel="call_102", receiving_body=Body.objects.filter(region=shymkent).first(), summary=summary)  # fmt: skip
    # Services do not edit a summary after registration; the admin does, and audits it.
    login(client, make_user("admin_kz", "administrator", is_staff=True, is_superuser=True))
    url = f"/admin/registry/report/{report.pk}/change/"
    data = admin_form(client, url)
    data["summary"] = "Исправлено: преследует у места работы"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Report.objects.get().summary == data["summary"]
    case = make_case()
    services.extend_term(SYSTEM, case, amount=1, unit="months", authorised_by="Прокурор Ержанов Б.",
                         reason="Назначена экспертиза Сериковой")  # fmt: skip
    lifecycle.transition(
        SYSTEM, case, "suspended", ground="suspect_unknown", reason="Уехал к Асановым"
    )
    prosecutor = make_user("prosecutor_shymkent", "prosecutor", "KZ-79")
    oversight.add_control(Actor.person(prosecutor), case, instruction="Допросить Ахметова")
    login(client, prosecutor)
    export = client.get("/audit/export.csv").content.decode()
    assert "report.admin.change" in export  # the admin's edit is in it, without its text
    for secret in ("Бейбітшілік", "места работы", "Ержанов", "Сериков", "Асанов", "Ахметов"):
        assert secret not in export
    for field in ("summary", "authorised_by", "reason", "instruction"):
        assert f'""{field}"": ""{privacy.REDACTED}""' in export
    created = AuditEntry.objects.get(action="report.create")
    assert created.after["summary"] == privacy.REDACTED
    update = AuditEntry.objects.get(action="report.admin.change")
    assert (update.before, update.after) == (
        {"summary": privacy.REDACTED},
        {"summary": privacy.REDACTED},
    )
    # A field that is not sensitive keeps its values.
    extension = AuditEntry.objects.get(action="case.term.extend")
    assert extension.details["amount"] == 1 and extension.details["unit"] == "months"
    assert extension.details["authorised_by"] == privacy.REDACTED


def test_empty_sensitive_text_stays_empty_in_the_trail(make_case):
    case = make_case()
    registered = case.status_changes.get()
    assert registered.reason == ""  # the registration's own row
    lifecycle.transition(SYSTEM, case, "suspended", ground="suspect_unknown")
    changed = AuditEntry.objects.get(action="case.status.change")
    assert changed.details["reason"] == ""
    assert case.status_changes.count() == 2
    assert case.status_changes.last().reason == ""


# --- The trail never names a record by its sensitive text (outside review of finding 9a) ---

# A file name that no pattern can tell from ordinary words: a person's name.
NAMED_FILE = "Aigerim Seitkali statement.pdf"


@pytest.fixture
def named_evidence(settings, tmp_path):
    from qorgau.campaigns import services as campaigns
    from qorgau.campaigns.tests.test_campaigns import PDF, SYSTEM, row, workbook

    settings.VAR_DIR = tmp_path
    activity = campaigns.import_plan(SYSTEM, workbook([row("N")])).activities.get()
    upload = SimpleUploadedFile(NAMED_FILE, PDF, content_type="application/pdf")
    return campaigns.add_evidence(SYSTEM, activity, file=upload)


def test_downloading_evidence_leaves_its_file_name_out_of_the_trail(client, login, named_evidence):
    login(client, make_user("analyst_kz", "analyst"))
    response = client.get(f"/campaigns/evidence/{named_evidence.pk}/file/")
    assert response.status_code == 200 and NAMED_FILE in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="evidence.download")
    assert entry.object_id == str(named_evidence.pk)
    assert "Seitkali" not in entry.object_repr and entry.object_repr.endswith(
        f" {named_evidence.pk}"
    )
    login(client, make_user("prosecutor_kz", "prosecutor"))
    export = client.get("/audit/export.csv").content.decode()
    assert "evidence.download" in export and "Seitkali" not in export


def test_the_trail_names_a_record_neutrally_when_its_text_would_say_a_sensitive_value(
    named_evidence, monkeypatch
):
    """Whatever a model's ``__str__`` says, ``audit.log.write`` keeps a sensitive value out."""
    from qorgau.audit.log import write
    from qorgau.campaigns.actions import EVIDENCE_DOWNLOAD
    from qorgau.campaigns.models import Evidence
    from tests.fixtures import SYSTEM

    monkeypatch.setattr(Evidence, "__str__", lambda self: f"file {self.original_name}")
    with translation.override("en"):
        entry = write(SYSTEM, EVIDENCE_DOWNLOAD, named_evidence)
    assert entry.object_repr == f"evidence {named_evidence.pk}"
    assert privacy.safe_repr(named_evidence.activity) == str(named_evidence.activity)


def test_admin_history_never_names_evidence_by_its_file_name(client, login, named_evidence):
    from django.contrib.admin.models import LogEntry

    from qorgau.audit.tests.test_audit import admin_form

    login(client, make_user("admin_kz", "administrator", is_staff=True, is_superuser=True))
    url = f"/admin/campaigns/evidence/{named_evidence.pk}/change/"
    data = admin_form(client, url)
    data["note"] = "протокол круглого стола"
    assert client.post(url, data).status_code == 302
    logged = LogEntry.objects.get()
    assert "Seitkali" not in logged.object_repr
    history = client.get(f"{url}history/").content.decode()
    assert "Seitkali" not in history
