"""The story of one case, in the order it happened: status changes, requalifications, term
extensions and recomputations, parties added or corrected, the prosecutor's controls, the reports
it was opened from and the decisions on them — each with who did it and when.

The audit trail is the source: every service writes one entry per action (on the case, on one of
its parties or on one of its reports), with the fields before and after. The records fill the
gaps the trail cannot: rows written without an entry of their own (a case imported from a file,
whose import leaves one summary entry; demonstration data) appear from their own dates and
authors. Reads (the case opened, the card printed, a refusal) are not part of the story.

The control records belong to the oversight app, a floor above: they are reached through the
case's reverse relation (``case.controls``), never imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from qorgau.access import actions as access_actions
from qorgau.access import policy
from qorgau.audit import actions as audit_actions
from qorgau.audit import words as audit_words
from qorgau.audit.models import AuditEntry
from qorgau.reference.models import format_term

from . import actions
from .choices import CaseStatus
from .models import Case, Party, Qualification, Report, StatusChange, TermExtension

# Entries that record a look, not a change: never part of the story.
READS = frozenset(
    {
        access_actions.CASE_VIEW,
        access_actions.REPORT_VIEW,
        access_actions.ADMIN_VIEW,
        access_actions.ACCESS_DENIED,
        actions.CASE_CARD_PRINT,
    }
)

# Fields that say nothing a reader needs (keys, bookkeeping) or that the event already says
# (its time, its author).
_HIDDEN = frozenset(
    {
        "id",
        "case_id",
        "report_id",
        "created_at",
        "created_by_id",
        "number_year",
        "number_seq",
        "is_demo",
        "status_at",
        "decided_at",
        "decided_by_id",
        "result_at",
    }
)


@dataclass
class Change:
    """One field of an event: its label, the value before (None: a new record) and after."""

    label: str
    before: str | None
    after: str


@dataclass
class Event:
    """One step of the case's story, ready to show: when, who, what, and the fields it changed."""

    at: dt.datetime
    actor: str
    title: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (url, text)
    order: int = 0

    @property
    def local_at(self) -> dt.datetime:
        return timezone.localtime(self.at)


def _user(user: Any) -> str:
    return user.get_username() if user is not None else "—"


class _Values:
    """Turns the stored values of an entry (ids, codes, ISO dates) into words as the audit
    trail's page does (``audit.words.value_words``: one way to say a value), with the field
    labels of the model they belong to; related records are read once per page."""

    def __init__(self) -> None:
        self._related: dict[tuple[type[models.Model], str], models.Model | None] = {}

    def label(self, model: type[models.Model], name: str) -> str:
        found = audit_words.field_of(model, name)
        return capfirst(str(found.verbose_name)) if found is not None else name

    def show(self, model: type[models.Model], name: str, value: Any) -> str:
        return audit_words.value_words(audit_words.field_of(model, name), value, self)

    def get(self, model: type[models.Model] | None, pk: Any) -> models.Model | None:
        """The record ``value_words`` names a related id by (read once, None if gone)."""
        if model is None:
            return None
        key = (model, str(pk))
        if key not in self._related:
            self._related[key] = model._default_manager.filter(pk=pk).first()
        return self._related[key]


def _changes(values: _Values, model: type[models.Model], entry: AuditEntry) -> list[Change]:
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    names = [n for n in dict.fromkeys([*before, *after]) if n not in _HIDDEN]
    if not before:  # a new record: what it was given
        return [
            Change(values.label(model, name), None, values.show(model, name, after[name]))
            for name in names
            if after.get(name) not in (None, "")
        ]
    return [
        Change(
            values.label(model, name),
            values.show(model, name, before.get(name)),
            values.show(model, name, after.get(name)),
        )
        for name in names
        if before.get(name) != after.get(name)
    ]


def _subject(entry: AuditEntry) -> type[models.Model]:
    """The model whose fields the entry's before/after hold."""
    details = entry.details if isinstance(entry.details, dict) else {}
    if entry.object_type == "registry.party" or "party" in details:
        return Party
    if "control" in details:
        return _control_model()
    if entry.object_type == "registry.report":
        return Report
    return Case


def _control_model() -> type[models.Model]:
    """The oversight app's control record, through the case's reverse relation."""
    return Case._meta.get_field("controls").related_model


class _Story:
    """Collects the events of one case."""

    def __init__(self, case: Case, viewer: Any = None) -> None:
        self.case = case
        self.viewer = viewer
        self.values = _Values()
        self.events: list[Event] = []
        self.named: dict[str, set[int]] = {key: set() for key in _RECORD_KEYS}
        self.reports = list(case.reports.all())

    def entries(self) -> Iterator[AuditEntry]:
        parties = [str(pk) for pk in self.case.parties.values_list("pk", flat=True)]
        where = Q(object_type="registry.case", object_id=str(self.case.pk))
        where |= Q(object_type="registry.party", object_id__in=parties)
        where |= Q(object_type="registry.report", object_id__in=[str(r.pk) for r in self.reports])
        rows = AuditEntry.objects.filter(where).exclude(action__in=READS)
        yield from rows.order_by("at", "pk")

    def from_entry(self, entry: AuditEntry) -> None:
        details = entry.details if isinstance(entry.details, dict) else {}
        for key in _RECORD_KEYS:
            if isinstance(details.get(key), int):
                self.named[key].add(details[key])
        model = _subject(entry)
        event = Event(
            at=entry.at,
            actor=entry.username or "—",
            title=audit_actions.label(entry.action),
            changes=_changes(self.values, model, entry),
            order=entry.pk,
        )
        self._explain(event, entry, details)
        self.events.append(event)

    def _explain(self, event: Event, entry: AuditEntry, details: dict[str, Any]) -> None:
        """Words the before/after do not hold: the length of an extension, the reason kept on
        the record, the report the entry is about."""
        if entry.action == actions.CASE_TERM_EXTEND and details.get("amount"):
            length = format_term(details["amount"], details.get("unit", "days"))
            event.notes.append(_("Length: %(length)s") % {"length": length})
        record = _RECORDS.get(entry.action)
        if record is not None and isinstance(details.get(record[0]), int):
            row = record[1]._default_manager.filter(pk=details[record[0]], case=self.case).first()
            if row is not None:
                event.notes.extend(_record_notes(row))
        if entry.object_type == "registry.report":
            report = next((r for r in self.reports if str(r.pk) == entry.object_id), None)
            if report is not None:
                event.link = (reverse("registry:report_detail", args=[report.pk]), str(report))

    def fill_gaps(self) -> None:
        """Rows no entry names (imports, demonstration data): from their own dates."""
        for change in self.case.status_changes.select_related("changed_by"):
            if change.pk not in self.named["status_change"] and change.from_status:
                self.events.append(_status_event(change))
        rows = self.case.qualifications.select_related("qualified_by", "article_part__article")
        for row in list(rows)[1:]:  # the first is the registration's
            if row.pk not in self.named["qualification"]:
                self.events.append(_qualification_event(row))
        for ext in self.case.extensions.select_related("extended_by"):
            if ext.pk not in self.named["extension"]:
                self.events.append(_extension_event(ext))
        self._registration_gap()
        self._controls_gap()
        self._reports_gap()
        self._joined_here()

    def _joined_here(self) -> None:
        """Cases joined to this one: the step is the other case's (its entry is on it); a case
        the viewer may not open is left out, so the story tells no more than the policy."""
        rows = StatusChange.objects.filter(
            case__joined_to=self.case, to_status=CaseStatus.JOINED
        ).select_related("case", "changed_by")
        for change in rows:
            other = change.case
            if self.viewer is not None and not policy.can(self.viewer, "case.view", other):
                continue
            self.events.append(
                Event(
                    change.changed_at,
                    _user(change.changed_by),
                    _("Case %(number)s joined to this case") % {"number": other.number},
                    link=(reverse("registry:case_detail", args=[other.number]), other.number),
                )
            )

    def _registration_gap(self) -> None:
        if any(e.title == audit_actions.label(actions.CASE_REGISTER) for e in self.events):
            return
        first = self.case.qualifications.select_related("article_part__article").first()
        part = first.article_part if first is not None else self.case.article_part
        self.events.append(
            Event(
                self.case.registered_at,
                _user(self.case.created_by),
                audit_actions.label(actions.CASE_REGISTER),
                [Change(_label(Case, "article_part"), None, str(part))],
                order=-1,
            )
        )

    def _controls_gap(self) -> None:
        for control in self.case.controls.select_related("created_by"):
            if control.pk not in self.named["control"]:
                self.events.append(
                    Event(
                        control.created_at,
                        _user(control.created_by),
                        audit_actions.label("control.add"),
                        [
                            Change(
                                self.values.label(_control_model(), "kind"),
                                None,
                                control.get_kind_display(),
                            )
                        ],
                    )
                )

    def _reports_gap(self) -> None:
        entered = {e.link[0] for e in self.events if e.link}
        for report in self.reports:
            url = reverse("registry:report_detail", args=[report.pk])
            if url not in entered:
                self.events.append(
                    Event(report.received_at, "—", _("Report received"), link=(url, str(report)))
                )


def _record_notes(row: models.Model) -> list[str]:
    """The reason (and ground) kept on a history row, which the trail names but does not copy."""
    notes = []
    ground = getattr(row, "ground_display", "")
    if ground:
        notes.append(_("Ground: %(ground)s") % {"ground": ground})
    authorised = getattr(row, "authorised_by", "")
    if authorised:
        notes.append(_("Authorised by: %(official)s") % {"official": authorised})
    reason = getattr(row, "reason_display", None) or getattr(row, "reason", "")
    if reason:
        notes.append(_("Reason: %(reason)s") % {"reason": reason})
    return notes


def _label(model: type[models.Model], name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def _qualification_event(row: Qualification) -> Event:
    return Event(
        row.qualified_at,
        _user(row.qualified_by),
        audit_actions.label(actions.CASE_REQUALIFY),
        [Change(_label(Case, "article_part"), None, str(row.article_part))],
        _record_notes(row),
    )


def _status_event(change: StatusChange) -> Event:
    label = dict(StatusChange._meta.get_field("to_status").flatchoices)
    return Event(
        change.changed_at,
        _user(change.changed_by),
        audit_actions.label(actions.CASE_STATUS_CHANGE),
        [
            Change(
                _label(Case, "status"),
                str(label.get(change.from_status, change.from_status)),
                str(label.get(change.to_status, change.to_status)),
            )
        ],
        _record_notes(change),
    )


def _extension_event(ext: TermExtension) -> Event:
    return Event(
        ext.extended_at,
        _user(ext.extended_by),
        audit_actions.label(actions.CASE_TERM_EXTEND),
        [
            Change(
                _label(Case, "term_ends_on"),
                formats.date_format(ext.previous_end, "SHORT_DATE_FORMAT"),
                formats.date_format(ext.new_end, "SHORT_DATE_FORMAT"),
            )
        ],
        [_("Length: %(length)s") % {"length": ext.length_text}, *_record_notes(ext)],
    )


# The key in an entry's details that names the history row it wrote.
_RECORD_KEYS = ("status_change", "qualification", "extension", "control")
_RECORDS: dict[str, tuple[str, type[models.Model]]] = {
    actions.CASE_STATUS_CHANGE: ("status_change", StatusChange),
    actions.CASE_REQUALIFY: ("qualification", Qualification),
    actions.CASE_TERM_EXTEND: ("extension", TermExtension),
}


def story(case: Case, viewer: Any = None) -> list[Event]:
    """The events of ``case``, oldest first, in the active language, times in Kazakhstan time
    (:attr:`Event.local_at`). With a ``viewer``, the cases joined to this one that the viewer
    may not open are left out (without one, all are told)."""
    built = _Story(case, viewer)
    for entry in built.entries():
        built.from_entry(entry)
    built.fill_gaps()
    return sorted(built.events, key=lambda e: (e.at, e.order))


def words(events: Iterable[Event]) -> list[str]:
    """Each event as one line of text (tests, plain-text exports)."""
    lines = []
    for event in events:
        parts = [
            f"{c.label}: {c.before} → {c.after}"
            if c.before is not None
            else f"{c.label}: {c.after}"
            for c in event.changes
        ]
        when = formats.date_format(event.local_at, "SHORT_DATETIME_FORMAT")
        lines.append(" · ".join([when, event.actor, event.title, *parts, *event.notes]))
    return lines


__all__ = ["READS", "Change", "Event", "story", "words"]
