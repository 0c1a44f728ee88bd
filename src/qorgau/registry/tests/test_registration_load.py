"""Registration under load (docs/registry.md, "Registration under load"): the number is taken
last, so registrations of one region queue on its sequence only for the end of their
transaction; numbers stay unique and without gaps when many registrations run at once on
PostgreSQL, also when some of them fail after taking their number."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from qorgau.audit import chain
from qorgau.audit.models import AuditEntry
from qorgau.core.actors import as_actor
from qorgau.core.errors import Conflict
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import numbering, services
from qorgau.registry.choices import AgeBand, PartyRole, Relationship, Sex
from qorgau.registry.models import Case, CaseNumberSequence
from tests.fixtures import local, make_user

PARTIES = [
    services.PartyData(role=PartyRole.VICTIM, sex=Sex.FEMALE, age_band=AgeBand.UNKNOWN),
    services.PartyData(role=PartyRole.SUSPECT, sex=Sex.MALE, relationship=Relationship.UNKNOWN),
]


def _register(user, region, when):
    return services.register_case(
        as_actor(user), region,
        article_part=ArticlePart.objects.select_related("article").get(article__code="115-1", number=1),
        registered_at=when, investigating_body=Body.objects.filter(region=region).first(),
        parties=PARTIES,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_sequence_is_locked_last_just_before_the_audit_entry(registrar, shymkent):
    with CaptureQueriesContext(connection) as queries:
        case = _register(registrar, shymkent, local(2026, 3, 1, 10, 0))
    statements = [q["sql"] for q in queries.captured_queries]
    touching = [i for i, sql in enumerate(statements) if "registry_casenumbersequence" in sql]
    audit = [i for i, sql in enumerate(statements) if "audit_auditentry" in sql]
    writes = [i for i, sql in enumerate(statements) if sql.lstrip().startswith("INSERT")]
    # The change feed's row comes after the audit entry, under the trail's lock that orders
    # the feed (registry.changes): it is the trail's companion, not a row of the registration.
    feed = [i for i, sql in enumerate(statements) if "registry_change" in sql]
    assert feed and feed[0] > audit[-1]
    # Every row of the registration is written before the sequence is touched (on PostgreSQL
    # in one statement; the row is created once, for the region's first case of the year) …
    assert [i for i in writes if i not in audit + touching + feed and i > touching[0]] == []
    # … and the audit entry follows it: nothing else while the sequence is locked (SQLite
    # reads the chain's last entry first; PostgreSQL's trigger does).
    assert audit[0] > touching[-1] and len([i for i in audit if i in writes]) == 1
    assert case.number == "2026-79-000001" and (case.number_year, case.number_seq) == (2026, 1)
    assert Case.objects.get(pk=case.pk).number == case.number


@pytest.mark.django_db
def test_the_trail_has_the_number_given_not_the_provisional_one(registrar, shymkent):
    _register(registrar, shymkent, local(2026, 3, 1, 10, 0))
    case = _register(registrar, shymkent, local(2026, 3, 1, 11, 0))
    entry = AuditEntry.objects.get(action="case.register", object_id=str(case.pk))
    assert entry.object_repr == "2026-79-000002" == entry.after["number"]
    assert (entry.after["number_year"], entry.after["number_seq"]) == (2026, 2)
    # The parties as the case page lists them (by role: the suspect first), then the reports.
    assert entry.details == {
        "reports": [],
        "parties": list(case.parties.order_by("role", "pk").values_list("pk", flat=True)),
    }
    assert not Case.objects.filter(number__startswith="new-").exists()
    assert chain.verify().ok


@pytest.mark.django_db
def test_a_used_up_sequence_refuses_and_keeps_nothing(registrar, shymkent):
    CaseNumberSequence.objects.create(region=shymkent, year=2026, last_value=numbering.MAX_SEQ)
    with pytest.raises(Conflict):
        _register(registrar, shymkent, local(2026, 3, 1, 10, 0))
    assert not Case.objects.exists()
    assert CaseNumberSequence.objects.get(region=shymkent, year=2026).last_value == 999_999


THREADS = 8
EACH = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_in_one_region_get_unique_gapless_numbers(on_postgres):
    """8 registrars' threads, each with its own connection, register 12 cases each in the same
    region and year at the same moment; every third registration of one thread fails after it
    took its number (its outer transaction rolls back). The numbers are 1…n, each once."""
    shymkent = Region.objects.get(code="KZ-79")
    users = [make_user(f"registrar_{n}", "registrar", "KZ-79") for n in range(THREADS)]
    start, errors, kept = threading.Barrier(THREADS), [], []

    class Abandoned(Exception):
        pass

    def registrar(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                try:
                    with transaction.atomic():
                        case = _register(users[n], shymkent, local(2026, 4, 1 + i, 10, n))
                        if i % 3 == 2:
                            raise Abandoned  # the number goes back with the rollback
                    kept.append(case.number)
                except Abandoned:
                    pass
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=registrar, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    expected = THREADS * (EACH - EACH // 3)
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert len(kept) == len(numbers) == len(set(numbers)) == expected
    assert sorted(kept) == numbers == [f"2026-79-{seq:06d}" for seq in range(1, expected + 1)]
    assert CaseNumberSequence.objects.get(region=shymkent, year=2026).last_value == expected
    assert AuditEntry.objects.filter(action="case.register").count() == expected
    assert chain.verify().ok
