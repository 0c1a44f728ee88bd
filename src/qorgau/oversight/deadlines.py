"""The prosecutor's deadline control: what is late, what is due within a week, and what awaits
review — for a user's scope, with counts per region and per investigating body.

Definitions (terms come from :mod:`qorgau.reference.rules`, never from here):

- **late registration** — a report whose decision came after its due time, or that still has
  none past it; it stays listed until a control record on it has a result;
- **overdue investigation** — a case under investigation whose term (with extensions) ended
  before today;
- **due soon** (within :data:`DUE_SOON_DAYS` days) — a case under investigation whose term
  ends today or within the window, and a report still waiting whose due time has not passed;
- **awaiting review** — a terminated case of an article marked for review, with no review
  result recorded after the termination.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qorgau.reference import rules
from qorgau.reference.models import Article, Body, Region
from qorgau.registry import scoped
from qorgau.registry.choices import CaseStatus, Decision
from qorgau.registry.models import Case, Report

from .models import ControlKind, ControlRecord

DUE_SOON_DAYS = rules.DUE_SOON_DAYS  # the page's horizon, set in reference/rules.py


def _due_soon(text: str) -> str:
    return gettext(text) % {"days": DUE_SOON_DAYS}


# The window's name, with its number of days, wherever it is shown (filters, sections, page).
DUE_SOON_LABEL = lazy(lambda: _due_soon("due within %(days)d days"), str)()
DUE_SOON_TITLE = lazy(lambda: _due_soon("Due within %(days)d days"), str)()


@dataclass
class Item:
    """One line of the control list."""

    category: str  # late | due_soon | review
    kind: str  # report | case
    obj: Case | Report
    due: dt.datetime | dt.date
    overdue_days: int
    controls: list = field(default_factory=list)

    @property
    def is_case(self) -> bool:
        """A case (else a report): what the templates link to and name."""
        return isinstance(self.obj, Case)

    @property
    def ref(self) -> str:
        return self.obj.number if isinstance(self.obj, Case) else f"R{self.obj.pk}"

    @property
    def due_text(self) -> str:
        """The due moment (a report's hour, a case's day) in Kazakhstan time."""
        if isinstance(self.due, dt.datetime):
            return timezone.localtime(self.due).strftime("%Y-%m-%d %H:%M")
        return self.due.isoformat()

    @property
    def due_iso(self) -> str:
        """The due moment for a file: ISO 8601 in Kazakhstan time with its +05:00 offset (a
        report's hour), or the case's local date."""
        if isinstance(self.due, dt.datetime):
            return timezone.localtime(self.due).isoformat(timespec="minutes")
        return self.due.isoformat()

    @property
    def region(self) -> Region:
        return self.obj.region

    @property
    def body(self) -> Body | None:
        if isinstance(self.obj, Case):
            return self.obj.investigating_body
        return self.obj.receiving_body

    @property
    def body_id(self) -> int | None:
        if isinstance(self.obj, Case):
            return self.obj.investigating_body_id
        return self.obj.receiving_body_id

    @property
    def article_id(self) -> int | None:
        """The case's current article, or the article suggested on a report (may be none)."""
        if isinstance(self.obj, Case):
            return self.obj.article_part.article_id
        return self.obj.suggested_article_id

    @property
    def due_date(self) -> dt.date:
        """The local day of the due moment, to order reports and cases together."""
        if isinstance(self.due, dt.datetime):
            return timezone.localtime(self.due).date()
        return self.due


class FilterKind(models.TextChoices):
    """What the page can be narrowed to (the ``kind`` filter)."""

    LATE_REPORT = "late_report", _("late decision on a report")
    OVERDUE_CASE = "overdue_case", _("overdue investigation")
    DUE_SOON = "due_soon", DUE_SOON_LABEL
    REVIEW = "review", _("awaiting review")


# filter kind -> (category, item kind or None for both)
_KIND_MATCH = {
    FilterKind.LATE_REPORT: ("late", "report"),
    FilterKind.OVERDUE_CASE: ("late", "case"),
    FilterKind.DUE_SOON: ("due_soon", None),
    FilterKind.REVIEW: ("review", None),
}


@dataclass(frozen=True)
class Filters:
    """A narrowing of the control list. It only ever removes items: the list it applies to
    is already limited to the user's scope, so no value here can widen it."""

    region: Region | None = None
    body: Body | None = None
    article: Article | None = None
    kind: str = ""
    without_control: bool = False

    def matches(self, item: Item) -> bool:
        if self.region is not None and item.obj.region_id != self.region.pk:
            return False
        if self.body is not None and item.body_id != self.body.pk:
            return False
        if self.article is not None and item.article_id != self.article.pk:
            return False
        if self.kind:
            category, kind = _KIND_MATCH[FilterKind(self.kind)]
            if item.category != category or (kind is not None and item.kind != kind):
                return False
        return not (self.without_control and item.controls)

    def describe(self) -> dict:
        """The filters as codes, for the audit trail (``region`` is the region's ISO code)."""
        out: dict = {}
        for name in ("region", "body", "article"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.code
        if self.kind:
            out["kind"] = str(self.kind)
        if self.without_control:
            out["without_control"] = True
        return out


@dataclass
class ControlList:
    late: list[Item]
    due_soon: list[Item]
    review: list[Item]
    today: dt.date

    def all(self) -> list[Item]:
        return self.late + self.due_soon + self.review

    def listed(self) -> dict[str, dict[str, list]]:
        """What the list shows, by category: case numbers and report ids (for the audit)."""
        return {
            category: {
                "cases": [i.obj.number for i in items if isinstance(i.obj, Case)],
                "reports": [i.obj.pk for i in items if isinstance(i.obj, Report)],
            }
            for category, items in (
                ("late", self.late),
                ("due_soon", self.due_soon),
                ("review", self.review),
            )
        }

    def by_region(self) -> list[tuple[object, Counter]]:
        return _group(self.all(), lambda item: item.region)

    def by_body(self) -> list[tuple[object, Counter]]:
        return _group(self.all(), lambda item: item.body)

    def narrowed(self, filters: Filters | None) -> "ControlList":
        """The items matching ``filters`` (none at all when ``filters`` is None, i.e. the
        filters given were not valid), in the page's order: late items most overdue first,
        due items soonest first, terminations longest awaiting review first."""
        if filters is None:
            return ControlList(late=[], due_soon=[], review=[], today=self.today)

        def keep(items):
            return [item for item in items if filters.matches(item)]

        return ControlList(
            late=sorted(keep(self.late), key=lambda i: (-i.overdue_days, i.due_date, i.ref)),
            due_soon=sorted(keep(self.due_soon), key=lambda i: (i.due_date, i.ref)),
            review=sorted(keep(self.review), key=lambda i: (i.due, i.ref)),
            today=self.today,
        )


def _group(items, key):
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), Counter())[item.category] += 1
    return sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), str(kv[0])))


def _controls() -> Prefetch:
    return Prefetch("controls", queryset=ControlRecord.objects.order_by("created_at"))


def control_list(user, now: dt.datetime | None = None) -> ControlList:
    """The control list of ``user``'s scope at ``now``."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    late, due_soon, review = [], [], []

    reports: QuerySet = (
        scoped.reports_for(user, "oversight.view")
        .select_related("region", "receiving_body")
        .prefetch_related(_controls())
        .order_by("received_at")
    )
    ruleset = rules.RuleSet()  # read once for the whole list, not once per report
    for report in reports.exclude(decision=Decision.PENDING, received_at__gt=now):
        due = rules.report_decision_due(report.received_at, ruleset=ruleset)
        if due is None:
            break
        decided_at = report.decided_at
        controls = list(report.controls.all())
        if (decided_at and decided_at > due) or (decided_at is None and now > due):
            if any(c.result for c in controls):
                continue
            overdue = ((decided_at or now) - due).total_seconds() / 86400
            late.append(
                Item("late", "report", report, due, max(1, round(overdue + 0.4999)), controls)
            )
        elif decided_at is None:
            due_soon.append(Item("due_soon", "report", report, due, 0, controls))

    cases: QuerySet = (
        scoped.cases_for(user, "oversight.view")
        .select_related("region", "investigating_body", "article_part__article")
        .prefetch_related(_controls())
    )
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for case in cases.filter(status=CaseStatus.INVESTIGATION, term_ends_on__lte=horizon).order_by(
        "term_ends_on"
    ):
        controls = list(case.controls.all())
        if case.term_ends_on < today:
            late.append(
                Item(
                    "late",
                    "case",
                    case,
                    case.term_ends_on,
                    (today - case.term_ends_on).days,
                    controls,
                )
            )
        else:
            due_soon.append(Item("due_soon", "case", case, case.term_ends_on, 0, controls))
    terminated = cases.filter(
        status=CaseStatus.TERMINATED, article_part__article__termination_review=True
    )
    for case in terminated.order_by("status_at"):
        controls = list(case.controls.all())
        reviewed = any(
            c.kind == ControlKind.REVIEW
            and c.result
            and c.result_at
            and c.result_at >= case.status_at
            for c in controls
        )
        if not reviewed:
            review.append(Item("review", "case", case, case.status_at, 0, controls))
    return ControlList(late=late, due_soon=due_soon, review=review, today=today)
