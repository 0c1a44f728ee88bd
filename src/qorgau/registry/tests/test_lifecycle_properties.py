"""The lifecycle as a state machine (Hypothesis): whatever sequence of status changes and report
decisions is tried — allowed or not, by whom, with which details, dated when — no case reaches a
status the transition table (registry/lifecycle.py) cannot reach, every refusal is a core.errors
error that changes nothing (status, history rows, audit entries), and every accepted change adds
exactly one history row and one audit entry.

Each run of the machine (≤ 15 steps) happens in a transaction rolled back at its end, under a
frozen clock that moves forward by hand.
"""

import datetime as dt
import itertools
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import NotAllowed, QorgauError
from qorgau.reference.models import ArticlePart, Body, Region
from qorgau.registry import lifecycle, services
from qorgau.registry.choices import (
    CaseStatus,
    Channel,
    Decision,
    SuspensionGround,
    TerminationGround,
)
from qorgau.registry.models import Case, Report, StatusChange
from tests.fixtures import SYSTEM, make_user

pytestmark = pytest.mark.django_db

S = CaseStatus
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ALMATY)


def reachable(table: dict[str, set[str]], start: str) -> set[str]:
    """Every state the table reaches from ``start``."""
    seen, todo = {start}, [start]
    while todo:
        for following in table.get(todo.pop(), set()):
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


CASE_REACHABLE = reachable(lifecycle.CASE_TRANSITIONS, S.INVESTIGATION)
REPORT_REACHABLE = reachable(lifecycle.REPORT_TRANSITIONS, Decision.PENDING)

GROUNDS = [
    "",
    *[g for g in TerminationGround.values if g],
    *[g for g in SuspensionGround.values if g],
]
REASONS = ["", "returned from court", "call me on +7 701 123 45 67"]  # the last is refused: a phone
NOTES = ["", "sent to the police department", "call me on +7 701 123 45 67"]
# When a change is dated: now, a day ago (maybe before the current status), or tomorrow.
WHEN = ["now", "day_before", "tomorrow"]


def case_state(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.status_at, case.termination_ground, case.suspension_ground,
            case.joined_to_id, case.term_ends_on, case.status_changes.count())  # fmt: skip


def report_state(report: Report) -> tuple:
    report = Report.objects.get(pk=report.pk)
    return (report.decision, report.decided_at, report.decision_note, report.decided_by_id)


class Lifecycle(RuleBasedStateMachine):
    """Three cases of one region (a case may be joined to another) and a report."""

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        self.cases: list[Case] = []

    def teardown(self):
        self.clock.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize()
    def register(self):
        region = Region.objects.get(code="KZ-79")
        body = Body.objects.filter(region=region).first()
        for article in ("115-1", "125-1", "125-1"):
            self.cases.append(
                services.register_case(
                    SYSTEM,
                    region,
                    article_part=ArticlePart.objects.get(article__code=article, number=1),
                    registered_at=START - dt.timedelta(days=30),
                    investigating_body=body,
                )
            )
        self.report = services.create_report(
            SYSTEM, region, received_at=START - dt.timedelta(days=2), channel=Channel.values[0],
            receiving_body=body, summary="A report (test).",
        )  # fmt: skip
        # Someone the policy does not let change a Shymkent case: a registrar of Astana.
        self.outsider = Actor.person(make_user("registrar_astana", "registrar", "KZ-71"))

    def moment(self, when: str) -> dt.datetime:
        now = dt.datetime.now(tz=ALMATY)
        return {"now": now, "day_before": now - dt.timedelta(days=1),
                "tomorrow": now + dt.timedelta(days=1)}[when]  # fmt: skip

    def attempt(self, actor, action, states, expected_growth) -> bool:
        """Run ``action``; a refusal must be a QorgauError (NotAllowed for an outsider) and change
        none of ``states`` nor the audit trail; an acceptance adds what ``expected_growth``
        checks and exactly one audit entry."""
        before = [state() for state in states]
        entries = AuditEntry.objects.count()
        try:
            with transaction.atomic():
                action()
        except QorgauError as refusal:
            assert [state() for state in states] == before
            assert AuditEntry.objects.count() == entries
            assert isinstance(refusal, NotAllowed) == (actor is self.outsider)
            return False
        assert actor is not self.outsider
        assert AuditEntry.objects.count() == entries + 1
        assert expected_growth(before, [state() for state in states])
        return True

    def try_change(self, which, to, *, ground, reason, joined, when, outsider) -> bool:
        """Try a status change of case ``which``; check what a refusal or an acceptance must
        leave; return whether it was accepted."""
        case = self.cases[which]
        was = Case.objects.get(pk=case.pk).status
        target = None if joined is None else self.cases[joined]
        actor = self.outsider if outsider else SYSTEM

        def action():
            lifecycle.transition(
                actor, case, to, ground=ground, reason=reason, joined_to=target,
                at=self.moment(when),
            )  # fmt: skip

        def one_more_row_of_this_case(before, after):
            others_unchanged = all(after[i] == before[i] for i in range(3) if i != which)
            return others_unchanged and after[which][-1] == before[which][-1] + 1

        states = [lambda c=c: case_state(c) for c in self.cases]
        accepted = self.attempt(actor, action, states, one_more_row_of_this_case)
        if accepted:
            assert to in lifecycle.CASE_TRANSITIONS[was]
            change = StatusChange.objects.filter(case=case).latest("pk")
            assert (change.from_status, change.to_status) == (was, to)
        return accepted

    @rule(
        which=st.integers(0, 2),
        to=st.sampled_from([*S.values, "closed"]),
        ground=st.sampled_from(GROUNDS),
        reason=st.sampled_from(REASONS),
        joined=st.none() | st.integers(0, 2),
        when=st.sampled_from(WHEN),
        outsider=st.booleans(),
    )
    def change_status_anyhow(self, which, to, ground, reason, joined, when, outsider):
        """Any call at all: the checks of ``try_change`` hold whatever happens."""
        self.try_change(
            which, to, ground=ground, reason=reason, joined=joined, when=when, outsider=outsider
        )

    @rule(which=st.integers(0, 2), to=st.sampled_from(S.values), joined=st.integers(0, 2))
    def change_status_rightly(self, which, to, joined):
        """A call with exactly the details ``to`` needs, dated now, by the system: accepted if
        and only if the table allows it (and, for a joining, the absorbing case may absorb)."""
        case = Case.objects.get(pk=self.cases[which].pk)
        target = Case.objects.get(pk=self.cases[joined].pk)
        ground = {S.TERMINATED: "no_corpus_delicti", S.SUSPENDED: "suspect_unknown"}.get(to, "")
        allowed = to in lifecycle.CASE_TRANSITIONS[case.status]
        if to == S.JOINED:
            allowed = allowed and (
                target.pk != case.pk and target.status != S.JOINED
                and not Case.objects.filter(joined_to=case).exists()
            )  # fmt: skip
        accepted = self.try_change(
            which, to, ground=ground,
            reason="resumed after review" if to == S.INVESTIGATION else "",
            joined=joined if to == S.JOINED else None, when="now", outsider=False,
        )  # fmt: skip
        assert accepted == allowed

    @rule(
        decision=st.sampled_from([*Decision.values, "lost"]),
        note=st.sampled_from(NOTES),
        when=st.sampled_from(WHEN),
        outsider=st.booleans(),
    )
    def decide(self, decision, note, when, outsider):
        was = Report.objects.get(pk=self.report.pk).decision
        actor = self.outsider if outsider else SYSTEM
        accepted = self.attempt(
            actor,
            lambda: lifecycle.decide(actor, self.report, decision, at=self.moment(when), note=note),
            [lambda: report_state(self.report)],
            lambda before, after: after[0][0] == decision,
        )
        if accepted:
            assert decision in lifecycle.REPORT_TRANSITIONS[was]

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours):
        self.traveller.shift(dt.timedelta(hours=hours))

    @invariant()
    def only_reachable_states(self):
        for case in self.cases:
            case = Case.objects.get(pk=case.pk)
            assert case.status in CASE_REACHABLE
            # The history is a walk on the table, ending where the case stands.
            steps = list(case.status_changes.order_by("pk").values_list("from_status", "to_status"))
            assert steps[0] == ("", S.INVESTIGATION)
            for (_f, previous), (following_from, following) in itertools.pairwise(steps):
                assert following_from == previous
                assert following in lifecycle.CASE_TRANSITIONS[previous]
            assert steps[-1][1] == case.status
            assert bool(case.termination_ground) == (case.status == S.TERMINATED)
            assert bool(case.suspension_ground) == (case.status == S.SUSPENDED)
            assert (case.joined_to_id is not None) == (case.status == S.JOINED)
            if case.joined_to_id:  # never a chain
                assert Case.objects.get(pk=case.joined_to_id).status != S.JOINED
        if self.report.pk:
            assert Report.objects.get(pk=self.report.pk).decision in REPORT_REACHABLE


def test_no_sequence_of_calls_leaves_the_transition_table_and_refusals_change_nothing():
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=50,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
