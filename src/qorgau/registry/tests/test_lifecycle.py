"""The lifecycle: which status may follow which, recorded as rows; illegal changes change nothing."""

import pytest
from django.utils import translation

from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.registry import lifecycle, services
from qorgau.registry.choices import CaseStatus, Decision
from qorgau.registry.models import Case, StatusChange
from tests.fixtures import SYSTEM, local, make_user

pytestmark = pytest.mark.django_db


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.status_at, case.termination_ground, case.joined_to_id,
            StatusChange.objects.filter(case=case).count())  # fmt: skip


def test_new_case_starts_under_investigation_with_a_recorded_transition(make_case):
    case = make_case()
    assert case.status == CaseStatus.INVESTIGATION
    change = case.status_changes.get()
    assert (change.from_status, change.to_status) == ("", CaseStatus.INVESTIGATION)
    assert change.changed_at == case.registered_at


def test_sent_to_court_is_recorded_with_who_when_and_why(make_case):
    case = make_case()
    investigator = make_user("investigator_shymkent", "investigator", "KZ-79")
    lifecycle.transition(Actor.person(investigator), case, CaseStatus.SENT_TO_COURT, reason="indictment", at=local(2026, 2, 1, 9, 0))  # fmt: skip
    change = case.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        CaseStatus.INVESTIGATION, CaseStatus.SENT_TO_COURT, investigator, "indictment")  # fmt: skip
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SENT_TO_COURT


def test_services_refuse_a_user_the_policy_does_not_allow(make_case, registrar, astana, stalking):
    """The services themselves ask the policy, not only the views: a Shymkent registrar cannot
    register an Astana case or change a case's status, and nothing is written."""
    from qorgau.access.policy import NotAllowed
    from qorgau.registry import services

    before = Case.objects.count()
    with pytest.raises(NotAllowed):
        services.register_case(Actor.person(registrar), astana, article_part=stalking, registered_at=local(2026, 2, 1, 9, 0))  # fmt: skip
    assert Case.objects.count() == before
    astana_case = make_case(region="KZ-71")
    investigator = make_user("investigator_shymkent", "investigator", "KZ-79")
    for user in (registrar, investigator):
        with pytest.raises(NotAllowed):
            lifecycle.transition(Actor.person(user), astana_case, CaseStatus.SUSPENDED, ground="suspect_unknown")  # fmt: skip
    assert Case.objects.get(pk=astana_case.pk).status == CaseStatus.INVESTIGATION


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "cannot become"),
        ("ru", "нельзя"),
        ("kk", "болмайды"),
    ],
)
def test_illegal_transition_is_refused_in_the_users_language_and_changes_nothing(
    make_case, lang, expected
):
    case = make_case()
    lifecycle.transition(
        SYSTEM, case, CaseStatus.SENT_TO_COURT, reason="x", at=local(2026, 2, 1, 9, 0)
    )
    lifecycle.transition(
        SYSTEM, case, CaseStatus.INVESTIGATION, reason="returned", at=local(2026, 2, 2, 9, 0)
    )
    lifecycle.transition(
        SYSTEM, case, CaseStatus.JOINED, joined_to=make_case(), at=local(2026, 2, 3, 9, 0)
    )
    before = snapshot(case)
    with translation.override(lang), pytest.raises(Conflict) as info:
        lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT, at=local(2026, 2, 4, 9, 0))
    assert expected in str(info.value)
    assert case.number in str(info.value)
    assert snapshot(case) == before


def test_termination_needs_a_ground(make_case):
    case = make_case(article="125-1")
    before = snapshot(case)
    with pytest.raises(Invalid):
        lifecycle.transition(SYSTEM, case, CaseStatus.TERMINATED)
    assert snapshot(case) == before
    lifecycle.transition(SYSTEM, case, CaseStatus.TERMINATED, ground="no_corpus_delicti")
    assert Case.objects.get(pk=case.pk).termination_ground == "no_corpus_delicti"


def test_reconciliation_does_not_end_these_cases(make_case):
    case = make_case()
    with translation.override("en"), pytest.raises(Invalid, match="115-1"):
        lifecycle.transition(SYSTEM, case, CaseStatus.TERMINATED, ground="reconciliation")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATION


def test_resumption_of_a_suspended_case_needs_a_reason(make_case):
    case = make_case()
    lifecycle.transition(SYSTEM, case, CaseStatus.SUSPENDED, ground="suspect_hiding")
    with pytest.raises(Invalid):
        lifecycle.transition(SYSTEM, case, CaseStatus.INVESTIGATION)
    lifecycle.transition(SYSTEM, case, CaseStatus.INVESTIGATION, reason="suspect found")
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATION and case.suspension_ground == ""
    assert [c.to_status for c in case.status_changes.all()] == [
        "investigation", "suspended", "investigation"]  # fmt: skip


def test_joining_needs_another_case_that_is_not_itself_joined(make_case):
    a, b, c = make_case(), make_case(), make_case()
    with pytest.raises(Invalid):
        lifecycle.transition(SYSTEM, a, CaseStatus.JOINED)
    with pytest.raises(Invalid):
        lifecycle.transition(SYSTEM, a, CaseStatus.JOINED, joined_to=a)
    lifecycle.transition(SYSTEM, b, CaseStatus.JOINED, joined_to=c)
    with pytest.raises(Conflict):
        lifecycle.transition(SYSTEM, a, CaseStatus.JOINED, joined_to=b)
    lifecycle.transition(SYSTEM, a, CaseStatus.JOINED, joined_to=c)
    assert set(c.joined_cases.all()) == {a, b}


def test_a_change_cannot_be_dated_before_the_current_status(make_case):
    case = make_case(registered_at=local(2026, 1, 10, 10, 0))
    with pytest.raises(Conflict):
        lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT, at=local(2026, 1, 9, 10, 0))


def test_stale_object_cannot_bypass_the_rules(make_case):
    # Another user terminated the case meanwhile; our in-memory copy still says "investigation".
    case = make_case()
    stale = Case.objects.get(pk=case.pk)
    lifecycle.transition(SYSTEM, case, CaseStatus.SUSPENDED, ground="suspect_unknown")
    with pytest.raises(Conflict):
        lifecycle.transition(SYSTEM, stale, CaseStatus.SUSPENDED, ground="suspect_unknown")
    assert case.status_changes.count() == 2


def test_report_decision_follows_the_rules(shymkent, stalking):
    from qorgau.reference.models import Body

    report = services.create_report(SYSTEM, shymkent, received_at=local(2026, 1, 5, 10, 0), channel="call_102", receiving_body=Body.objects.get(code="POL-79"), summary="…", suggested_article=stalking.article)  # fmt: skip
    with pytest.raises(Invalid):
        lifecycle.decide(
            SYSTEM, report, Decision.SENT_ELSEWHERE, at=local(2026, 1, 5, 12, 0)
        )  # no body named
    assert lifecycle.can_decide(report) and lifecycle.can_decide(report, Decision.SENT_ELSEWHERE)
    lifecycle.decide(SYSTEM, report, Decision.NO_OFFENCE, at=local(2026, 1, 5, 12, 0))
    assert not lifecycle.can_decide(report, Decision.SENT_ELSEWHERE)
    assert lifecycle.can_decide(report, Decision.REGISTERED)
    with pytest.raises(Conflict):
        lifecycle.decide(
            SYSTEM, report, Decision.SENT_ELSEWHERE, at=local(2026, 1, 6, 12, 0), note="x"
        )
    # A refusal can be overturned: the case registered from it records the decision.
    case = services.register_case(SYSTEM, shymkent, article_part=stalking, registered_at=local(2026, 1, 7, 9, 0), reports=[report])  # fmt: skip
    report.refresh_from_db()
    assert report.decision == Decision.REGISTERED and list(report.cases.all()) == [case]
    assert not lifecycle.can_decide(report)  # a registration is final


def test_case_cannot_be_registered_before_the_article_was_in_force(shymkent, stalking):
    with pytest.raises(Invalid):
        services.register_case(
            SYSTEM, shymkent, article_part=stalking, registered_at=local(2025, 9, 15, 23, 0)
        )
    assert not Case.objects.exists()


def test_requalification_is_recorded_never_overwritten(make_case):
    from qorgau.reference.models import ArticlePart

    case = make_case(article="125-1", part=1)
    services.requalify(
        SYSTEM,
        case,
        ArticlePart.objects.get(article__code="125-1", number=2),
        reason="violence found",
    )
    case.refresh_from_db()
    assert case.article_part.number == 2
    assert [q.article_part.number for q in case.qualifications.all()] == [1, 2]


def test_term_is_set_from_the_rules_and_extensions_are_recorded(make_case):
    import datetime as dt

    crime = make_case(article="125-1", registered_at=local(2026, 1, 31, 10, 0))
    misdemeanour = make_case(article="115-1", registered_at=local(2026, 1, 31, 10, 0))
    assert crime.term_ends_on == dt.date(2026, 3, 31)  # two calendar months
    assert misdemeanour.term_ends_on == dt.date(2026, 2, 28)  # one month, clamped to February
    services.extend_term(
        SYSTEM, crime, dt.date(2026, 4, 30), authorised_by="city prosecutor", reason="expertise"
    )
    with pytest.raises(Invalid):
        services.extend_term(SYSTEM, crime, dt.date(2026, 4, 1), authorised_by="x", reason="y")
    crime.refresh_from_db()
    assert crime.term_ends_on == dt.date(2026, 4, 30)
    assert [(e.previous_end, e.new_end) for e in crime.extensions.all()] == [
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30))]  # fmt: skip


def test_no_identifying_fields_anywhere():
    from django.apps import apps

    forbidden = {"name", "iin", "address", "phone", "surname", "patronymic", "birth", "birthdate"}
    for model in apps.get_app_config("registry").get_models():
        for field in model._meta.get_fields():
            assert not forbidden & set(field.name.lower().split("_")), (model, field.name)


def test_a_change_cannot_be_dated_in_the_future(make_case):
    import datetime as dt

    from django.utils import timezone

    case = make_case()
    with pytest.raises(Invalid):
        lifecycle.transition(
            SYSTEM,
            case,
            CaseStatus.SUSPENDED,
            ground="suspect_unknown",
            at=timezone.now() + dt.timedelta(days=1),
        )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATION


def test_a_case_with_cases_joined_to_it_cannot_be_joined_itself(make_case):
    a, b, c = make_case(), make_case(), make_case()
    lifecycle.transition(SYSTEM, a, CaseStatus.JOINED, joined_to=b)
    with pytest.raises(Conflict):
        lifecycle.transition(SYSTEM, b, CaseStatus.JOINED, joined_to=c)  # would leave a → b → c
    assert Case.objects.get(pk=b.pk).status == CaseStatus.INVESTIGATION


# --- The investigation term follows the rules (dates fixed, computed by hand) -------------


def test_requalification_moves_the_term_to_the_new_category(make_case):
    import datetime as dt

    from qorgau.reference.models import ArticlePart

    case = make_case(article="115-1", registered_at=local(2026, 1, 10, 10, 0))
    assert case.term_ends_on == dt.date(2026, 2, 10)  # misdemeanour: one month
    services.requalify(SYSTEM, case, ArticlePart.objects.get(article__code="125-1", number=1), reason="coercion found", at=local(2026, 1, 20, 9, 0))  # fmt: skip
    assert Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 3, 10)  # crime: two months
    services.requalify(SYSTEM, case, ArticlePart.objects.get(article__code="115-1", number=1), reason="no coercion", at=local(2026, 1, 25, 9, 0))  # fmt: skip
    assert Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 2, 10)


def test_suspension_stops_the_clock_and_resumption_gives_the_days_back(make_case):
    import datetime as dt

    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    assert case.term_ends_on == dt.date(2026, 3, 10)
    lifecycle.transition(
        SYSTEM, case, CaseStatus.SUSPENDED, ground="suspect_hiding", at=local(2026, 1, 20, 10, 0)
    )
    assert Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 3, 10)  # still running out
    # 49 days suspended: 20 January → 10 March (11 + 28 + 10).
    lifecycle.transition(
        SYSTEM, case, CaseStatus.INVESTIGATION, reason="suspect found", at=local(2026, 3, 10, 10, 0)
    )
    assert case.term_ends_on == Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 4, 28)


def test_each_extension_adds_its_length_and_survives_a_requalification(make_case):
    import datetime as dt

    from qorgau.reference.models import ArticlePart

    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    first = services.extend_term(SYSTEM, case, amount=1, unit="months", authorised_by="city prosecutor", reason="expertise", at=local(2026, 3, 1, 9, 0))  # fmt: skip
    assert (first.previous_end, first.new_end) == (dt.date(2026, 3, 10), dt.date(2026, 4, 10))
    services.extend_term(SYSTEM, case, amount=15, unit="days", authorised_by="city prosecutor", reason="witness abroad", at=local(2026, 4, 1, 9, 0))  # fmt: skip
    assert Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 4, 25)
    # Requalified as a misdemeanour: one month from registration, then the same extensions.
    services.requalify(SYSTEM, case, ArticlePart.objects.get(article__code="115-1", number=1), reason="no coercion", at=local(2026, 4, 2, 9, 0))  # fmt: skip
    assert Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 3, 25)
    with pytest.raises(Invalid):
        services.extend_term(SYSTEM, case, amount=0, authorised_by="x", reason="y")
    assert case.extensions.count() == 2


def test_a_closed_case_term_cannot_be_extended(make_case):
    import datetime as dt

    case = make_case(article="125-1", registered_at=local(2026, 1, 10, 10, 0))
    lifecycle.transition(SYSTEM, case, CaseStatus.SENT_TO_COURT, reason="indictment", at=local(2026, 2, 1, 9, 0))  # fmt: skip
    with translation.override("en"), pytest.raises(Conflict, match="can be extended"):
        services.extend_term(SYSTEM, case, amount=1, unit="months", authorised_by="x", reason="y")
    assert not case.extensions.exists()
    assert Case.objects.get(pk=case.pk).term_ends_on == dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "Case status changed"),
        ("ru", "Статус дела изменён"),
        ("kk", "Істің мәртебесі өзгертілді"),
    ],
)
def test_a_status_change_writes_exactly_one_entry_that_reads_as_what_happened(
    make_case, lang, label
):
    from qorgau.audit.models import AuditEntry

    case = make_case()
    investigator = make_user("investigator_shymkent", "investigator", "KZ-79")
    before = AuditEntry.objects.count()
    lifecycle.transition(
        Actor.person(investigator), case, CaseStatus.SUSPENDED, ground="suspect_hiding"
    )
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.username, entry.object_repr) == (
        "case.status.change", "investigator_shymkent", case.number)  # fmt: skip
    assert (entry.before["status"], entry.after["status"]) == ("investigation", "suspended")
    with translation.override(lang):
        assert entry.action_label == label


def test_a_refused_status_change_writes_no_entry(make_case):
    from qorgau.audit.models import AuditEntry

    case = make_case()
    before = AuditEntry.objects.count()
    with pytest.raises(Invalid):
        lifecycle.transition(SYSTEM, case, CaseStatus.TERMINATED)  # no ground
    assert AuditEntry.objects.count() == before
