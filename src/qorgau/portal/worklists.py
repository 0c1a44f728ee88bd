"""The staff home page's worklist: per role, the work waiting on the user in their scope, as
counts that link to the list they count, and the first items of each.

Which sections each role gets (docs/worklists.md):

- registrar — reports awaiting a decision (and the overdue ones among them), oldest first with
  their 24-hour clock;
- investigator — cases whose term ends within ``DUE_SOON_DAYS`` days, and those whose term
  has passed;
- prosecutor — the control list's late reports, overdue investigations, items due soon and
  terminations awaiting review;
- analyst — deputies' inquiries awaiting a reply (a national scope: replies are national);
- campaign coordinator — overdue campaign activities;
- training officer — bodies with training sessions but no headcount (no coverage can be
  computed for them);
- administrator — the registrar's, the investigator's and the prosecutor's sections.

A section is shown only when the policy lets the user open the page it links to.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qorgau.access import policy
from qorgau.access.models import Role
from qorgau.campaigns import services as campaigns
from qorgau.campaigns.models import ActivityStatus
from qorgau.letters.models import Inquiry, InquiryStatus
from qorgau.oversight import deadlines, work
from qorgau.training import services as training


@dataclass
class Count:
    """One count of the worklist and the list it links to (``href``: that list, filtered)."""

    key: str
    label: str | Promise
    count: int
    href: str
    urgent: bool = False


@dataclass
class Line:
    """One item under a section's counts: what it is, where it opens, and its clock."""

    ref: str
    href: str
    text: str
    clock: str = ""
    urgent: bool = False


@dataclass
class Section:
    key: str
    title: str | Promise
    counts: list[Count]
    lines: list[Line] = field(default_factory=list)
    lines_title: str | Promise = ""


def _href(name: str, params: dict[str, str] | None = None, anchor: str = "") -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{reverse(name)}{query}{anchor}"


def clock_text(left: dt.timedelta) -> str:
    """A clock in words: "5 h 20 min left", "overdue by 3 d 4 h" (whole minutes)."""
    minutes = int(abs(left).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    values = {"days": days, "hours": hours, "minutes": mins}
    if left >= dt.timedelta(0):
        text = (
            _("%(hours)d h %(minutes)d min left") if not days else _("%(days)d d %(hours)d h left")
        )
    else:
        text = (
            _("overdue by %(hours)d h %(minutes)d min")
            if not days
            else _("overdue by %(days)d d %(hours)d h")
        )
    return str(text) % values


def _reports(user: Any, now: dt.datetime) -> Section | None:
    if not policy.can(user, "report.decide"):
        return None
    counts = [
        Count("pending", _("Reports awaiting a decision"),
              work.reports(user, work.PENDING).count(),
              _href("registry:report_list", work.PENDING)),
        Count("pending_overdue", _("of them past the 24-hour term"),
              work.reports(user, work.PENDING_OVERDUE).count(),
              _href("registry:report_list", work.PENDING_OVERDUE), urgent=True),
    ]  # fmt: skip
    lines = []
    for clock in work.oldest_pending(user, now):
        report = clock.report
        lines.append(Line(
            f"R{report.pk}", reverse("registry:report_detail", args=[report.pk]),
            f"{timezone.localtime(report.received_at):%Y-%m-%d %H:%M} · {report.region.name}",
            clock_text(clock.left) if clock.left is not None else "", clock.overdue,
        ))  # fmt: skip
    return Section("reports", _("Reports awaiting a decision"), counts, lines,
                   _("Oldest first"))  # fmt: skip


def _terms(user: Any, now: dt.datetime) -> Section | None:
    if not policy.can(user, "case.extend"):
        return None
    today = timezone.localdate(now)
    counts = [
        Count("term_passed", _("Cases whose term has passed"),
              work.cases(user, work.TERM_PASSED).count(),
              _href("registry:case_list", work.TERM_PASSED), urgent=True),
        Count("term_due", deadlines.DUE_SOON_TITLE,
              work.cases(user, work.TERM_DUE).count(),
              _href("registry:case_list", work.TERM_DUE)),
    ]  # fmt: skip
    lines = []
    for case in work.soonest_terms(user, work.TERM_PASSED) + work.soonest_terms(
        user, work.TERM_DUE
    ):
        ends = case.term_ends_on or today  # the filters select cases with a term
        late = ends < today
        days = abs((ends - today).days)
        clock = (
            ngettext("overdue by %(n)d day", "overdue by %(n)d days", days)
            if late
            else ngettext("%(n)d day left", "%(n)d days left", days)
        ) % {"n": days}
        lines.append(Line(
            case.number, reverse("registry:case_detail", args=[case.number]),
            f"{case.article_part.article.code} · {case.region.name} · {ends:%Y-%m-%d}",
            clock, late,
        ))  # fmt: skip
    return Section("terms", _("Investigation terms"), counts, lines, _("Term ends first"))


def _control(user: Any, now: dt.datetime) -> Section | None:
    if not policy.can(user, "oversight.view"):
        return None
    found = work.control_counts(user, now)
    labels = dict(deadlines.FilterKind.choices)
    counts = [
        Count(str(kind), labels[kind], found[str(kind)],
              _href("oversight:control", {"kind": str(kind)}),
              urgent=kind in (deadlines.FilterKind.LATE_REPORT, deadlines.FilterKind.OVERDUE_CASE))
        for kind in work.CONTROL_KINDS
    ]  # fmt: skip
    return Section("control", _("Deadline control"), counts)


def _inquiries(user: Any, now: dt.datetime) -> Section | None:
    if not policy.can(user, "letters.draft"):
        return None
    waiting = Inquiry.objects.exclude(status=InquiryStatus.SENT).order_by("due_on", "dated")
    lines = [
        Line(inquiry.number, reverse("letters:detail", args=[inquiry.pk]), inquiry.get_status_display(),
             f"{inquiry.due_on:%Y-%m-%d}" if inquiry.due_on else "",
             bool(inquiry.due_on and inquiry.due_on < timezone.localdate(now)))
        for inquiry in waiting[: work.OLDEST_SHOWN]
    ]  # fmt: skip
    count = Count("inquiries", _("Inquiries awaiting a reply"), waiting.count(),
                  _href("letters:list"))  # fmt: skip
    return Section("inquiries", _("Replies to deputies' inquiries"), [count], lines,
                   _("Reply due first"))  # fmt: skip


def _activities(user: Any, now: dt.datetime) -> Section | None:
    if not policy.can(user, "campaigns.edit"):
        return None
    day = timezone.localdate(now)
    overdue = [
        a for a in campaigns.activities_for(user) if a.status_on(day) == ActivityStatus.OVERDUE
    ]
    overdue.sort(key=lambda a: (a.due_on, a.pk))
    lines = [
        Line(f"{activity.due_on:%Y-%m-%d}", reverse("campaigns:activity", args=[activity.pk]),
             activity.title, str(activity.responsible), True)
        for activity in overdue[: work.OLDEST_SHOWN]
    ]  # fmt: skip
    count = Count("activities_overdue", _("Campaign activities overdue"), len(overdue),
                  _href("campaigns:progress"), urgent=True)  # fmt: skip
    return Section("activities", _("Campaign"), [count], lines, _("Due first"))


def _headcounts(user: Any, now: dt.datetime) -> Section | None:
    if not policy.can(user, "training.edit"):
        return None
    missing = [row for row in training.coverage(user, None, timezone.localdate(now))
               if row["headcount"] is None]  # fmt: skip
    count = Count("headcount_missing", _("Bodies trained without a headcount"), len(missing),
                  _href("training:page", anchor="#coverage-bodies"))  # fmt: skip
    lines = [Line(row["body_label"], _href("training:headcount_new"), row["region"].name)
             for row in missing[: work.OLDEST_SHOWN]]  # fmt: skip
    return Section("headcounts", _("Training"), [count], lines)


Builder = Callable[[Any, dt.datetime], Section | None]
SECTIONS: dict[str, list[Builder]] = {
    Role.REGISTRAR: [_reports],
    Role.INVESTIGATOR: [_terms],
    Role.PROSECUTOR: [_control],
    Role.ANALYST: [_inquiries],
    Role.CAMPAIGN: [_activities],
    Role.TRAINING: [_headcounts],
    Role.ADMINISTRATOR: [_reports, _terms, _control],
}


def worklist(user: Any, now: dt.datetime | None = None) -> list[Section]:
    """The sections of ``user``'s worklist at ``now`` (none for a user without a role)."""
    now = now or timezone.now()
    role = policy.scope_of(user).role
    built = (build(user, now) for build in SECTIONS.get(str(role), []))
    return [section for section in built if section is not None]


def shown_records(sections: list[Section]) -> dict[str, list[str]]:
    """What the worklist named, by section (report ids as R<id>, case numbers…): for the
    audit's read entry."""
    return {
        section.key: [line.ref for line in section.lines] for section in sections if section.lines
    }
