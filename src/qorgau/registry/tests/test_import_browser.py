"""Case CSV import in the browser: the upload page queues a background task that runs the
command's import as the uploader — all or nothing, the same errors, the same audit entries —
and the job's page follows its progress (docs/cases-csv.md, "Import in the browser")."""

import io
import signal

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from qorgau.audit.models import AuditEntry
from qorgau.core import importing
from qorgau.core.importing import ImportRejected
from qorgau.registry import csvio, imports
from qorgau.registry.models import Case, ImportJob
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db

HEADER = "number,article,part,region,registered_at,status,victim_sex,victim_age_band"


def row(region="KZ-79", part="1", day=5):
    return f",115-1,{part},{region},2026-01-{day:02d}T10:00:00+05:00,investigation,F,25-34"


def csv_bytes(*rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def upload(client, data: bytes, name="cases.csv", lang="en"):
    return client.post(
        reverse("registry:case_import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def run_task(job):
    """The task's body, as the worker runs it (the worker itself: the transactional test)."""
    return imports.import_cases_job.call(str(job.pk), job.created_by_id)


@pytest.fixture
def registrar_client(client, login, registrar):
    return login(client, registrar)


def test_good_file_is_imported_by_the_task_as_the_uploader_with_the_commands_entries(
    registrar_client, registrar
):
    data = csv_bytes(row(day=5), row(day=6), row(day=7))
    response = upload(registrar_client, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:case_import_job", args=[job.pk])
    assert (job.status, job.created_by, job.filename, bytes(job.data)) == (
        "queued", registrar, "cases.csv", data,
    )  # fmt: skip
    # Queued in the database for the worker, with the job's id and the uploader's id.
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert queued.status == "READY" and queued.args_kwargs["args"] == [str(job.pk), registrar.pk]
    assert not Case.objects.exists()

    assert run_task(job) == "done"
    job.refresh_from_db()
    assert (job.status, job.imported, job.total, job.done, bytes(job.data)) == (
        "done", 3, 3, 3, b"",
    )  # fmt: skip
    assert sorted(Case.objects.values_list("number", flat=True)) == [
        "2026-79-000001", "2026-79-000002", "2026-79-000003",
    ]  # fmt: skip
    assert set(Case.objects.values_list("created_by", flat=True)) == {registrar.pk}
    # The command's entries: one case.import per region and batch, naming the uploader.
    entries = list(AuditEntry.objects.exclude(action="access.denied"))
    assert [(e.action, e.username, e.source, e.region_code) for e in entries] == [
        ("case.import", "registrar_shymkent", "task", "KZ-79")
    ]
    assert entries[0].details["count"] == 3
    page = registrar_client.get(reverse("registry:case_import_job", args=[job.pk]))
    assert "3 іс импортталды" in page.content.decode()  # the page in Kazakh
    assert reverse("registry:case_list") in page.content.decode()


def test_one_bad_row_among_many_lists_the_commands_errors_and_writes_nothing(
    registrar_client, registrar
):
    rows = [row(day=1 + i % 28) for i in range(40)]
    rows[16] = row(part="9")  # file row 18
    rows[30] = row(region="KZ-00")  # file row 32
    data = csv_bytes(*rows)
    upload(registrar_client, data, lang="kk")
    job = ImportJob.objects.get()
    assert job.language == "kk"
    assert run_task(job) == "rejected"
    job.refresh_from_db()
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action="case.import").exists()
    # The very errors of `qorgau import-cases`, in the uploader's language.
    with translation.override("kk"), pytest.raises(ImportRejected) as command:
        csvio.import_cases(SYSTEM, data)
    assert [(e["row"], e["column"], e["value"], e["reason"]) for e in job.errors] == [
        (e.row, e.column, e.value, e.reason) for e in command.value.errors
    ]
    assert [(e["row"], e["column"]) for e in job.errors] == [(18, "part"), (32, "region")]
    assert (job.total, job.done, job.imported, bytes(job.data)) == (40, 40, 0, b"")
    page = registrar_client.get(
        reverse("registry:case_import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="kk"
    ).content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">18</td>' in page
    assert job.errors[0]["reason"] in page and "KZ-00" in page


def test_a_registrar_imports_only_into_their_own_region(registrar_client):
    upload(registrar_client, csv_bytes(row(), row(region="KZ-71")))
    job = ImportJob.objects.get()
    with translation.override("en"):
        run_task(job)
    job.refresh_from_db()
    assert job.status == "rejected" and not Case.objects.exists()
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(3, "region", "KZ-71")]
    assert "may not register cases in this region" in job.errors[0]["reason"]


def test_investigator_may_not_import_and_another_registrar_cannot_see_the_job(
    client, login, registrar_client
):
    upload(registrar_client, csv_bytes(row()))
    job = ImportJob.objects.get()
    page = reverse("registry:case_import_job", args=[job.pk])
    status = reverse("registry:case_import_status", args=[job.pk])
    assert registrar_client.get(page).status_code == 200
    assert registrar_client.get(status).status_code == 200

    investigator = Client()
    login(investigator, make_user("investigator_79", "investigator", "KZ-79"))
    assert investigator.get(reverse("registry:case_import")).status_code == 403
    assert investigator.get(page).status_code == 403

    colleague = Client()
    login(colleague, make_user("registrar_79_other", "registrar", "KZ-79"))
    since = AuditEntry.objects.count()
    assert colleague.get(page).status_code == 404
    assert colleague.get(status).status_code == 404
    denied = list(AuditEntry.objects.order_by("pk")[since:])
    assert [(e.action, e.username, e.details["status"]) for e in denied] == [
        ("access.denied", "registrar_79_other", 404)
    ] * 2
    # Administrators follow every import of their scope: the national one and Shymkent's.
    for name, region, expected in [
        ("administrator_kz", None, 200), ("administrator_79", "KZ-79", 200),
        ("administrator_71", "KZ-71", 404),
    ]:  # fmt: skip
        admin = Client()
        login(admin, make_user(name, "administrator", region))
        assert admin.get(page).status_code == expected, name
        assert admin.get(status).status_code == expected, name


def test_a_file_over_the_limit_or_not_csv_is_refused_at_the_upload_next_to_the_field(
    registrar_client, monkeypatch
):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 2**20)
    response = upload(registrar_client, b"x" * (2**20 + 1))
    assert response.status_code == 400
    page = response.content.decode()
    group = page[page.index('class="govuk-form-group govuk-form-group--error"') :]
    message = group[group.index('<p class="govuk-error-message" id="id_file_error">') :]
    assert "the file is larger than 1 MB" in message[: message.index("</p>")]
    assert group.index("id_file_error") < group.index('<input type="file"')
    assert 'href="#id_file"' in page  # the error summary links to the field
    response = upload(registrar_client, b"%PDF-1.4", name="cases.pdf")
    assert (
        response.status_code == 400 and "Choose a file ending in .csv." in response.content.decode()
    )
    response = upload(registrar_client, "Тест".encode("cp1251"), name="cases.csv")
    assert "The file is not UTF-8 text." in response.content.decode()
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


def test_progress_moves_from_the_total_to_every_row_and_the_status_json_reads_it(
    registrar_client, monkeypatch
):
    rows = 250
    upload(registrar_client, csv_bytes(*(row(day=1 + i % 28) for i in range(rows))))
    job = ImportJob.objects.get()
    status_url = reverse("registry:case_import_status", args=[job.pk])
    before = registrar_client.get(status_url).json()
    assert (before["status"], before["done"], before["total"], before["finished"]) == (
        "queued", 0, 0, False,
    )  # fmt: skip
    seen = []
    cache = caches["progress"]
    original = cache.set

    def watching(key, value, timeout):
        original(key, value, timeout)
        # Asked while the import's transaction is open: the live count, not the row's.
        answer = registrar_client.get(status_url).json()
        seen.append((value, answer["status"], answer["done"], answer["total"]))

    monkeypatch.setattr(cache, "set", watching)
    run_task(job)
    assert len(seen) >= 100
    assert seen[0] == ((0, rows), "running", 0, rows)
    assert all(
        status == "running" and (done, total) == value for value, status, done, total in seen
    )
    dones = [done for _value, _status, done, _total in seen]
    assert dones == sorted(dones) and dones[-1] == rows
    after = registrar_client.get(status_url).json()
    assert (after["status"], after["done"], after["total"], after["finished"]) == (
        "done", rows, rows, True,
    )  # fmt: skip
    assert after["imported"] == rows and Case.objects.count() == rows
    assert cache.get(f"registry.import:{job.pk}") is None  # the live count is gone with the job


def test_a_job_is_run_once_and_only_for_its_uploader(registrar_client, registrar):
    upload(registrar_client, csv_bytes(row()))
    job = ImportJob.objects.get()
    other = make_user("registrar_71", "registrar", "KZ-71")
    assert imports.import_cases_job.call(str(job.pk), other.pk) == "queued"
    assert not Case.objects.exists()
    assert run_task(job) == "done"
    assert run_task(job) == "done" and Case.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_runs_the_queued_import(client, login):
    registrar = make_user("registrar_worker", "registrar", "KZ-79")
    login(client, registrar)
    upload(client, csv_bytes(row(day=5), row(day=6)))
    job = ImportJob.objects.get()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        out = io.StringIO()
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=out)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    result = DBTaskResult.objects.get(id=job.task_id)
    assert (result.status, result.return_value) == ("SUCCESSFUL", "done"), result.traceback
    job.refresh_from_db()
    assert (job.status, job.imported, job.done, job.total) == ("done", 2, 2, 2)
    assert Case.objects.filter(created_by=registrar).count() == 2
    entry = AuditEntry.objects.get(action="case.import")
    assert (entry.username, entry.source) == ("registrar_worker", "task")
    page = client.get(reverse("registry:case_import_job", args=[job.pk])).content.decode()
    assert "2 іс импортталды" in page  # the page in Kazakh
