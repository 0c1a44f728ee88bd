"""The audit trail in words: each entry as a sentence in the reader's language, what it changed
as labelled rows (before → after), its long lists apart.

An entry keeps its record's name (``object_repr``) in the language of whoever wrote it, so the
words are made at read time from what the entry holds as data: the record's type and id, the
fields before and after, the details. The record is looked up again and named in the active
language; field labels and choice labels come from the model (found through the app registry,
``apps.get_model``, never imported: the trail stands below the apps it names); times are shown
in Kazakhstan time in the reader's format; a record that no longer exists keeps its stored name.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from qorgau.core import privacy
from qorgau.reference.models import Region

from . import actions
from .models import AuditEntry

# The URL of a record the reader may open, or None (the access floor decides: ``access.trail``).
Linker = Callable[[models.Model], str | None]

# The refusal's code (declared by ``access.actions``, the floor above, which writes it).
_DENIED = "access.denied"
# A list longer than this is shown folded (``govuk-details``) rather than in the sentence.
_SHORT = 5


@dataclass
class Change:
    """One field an entry changed: its label, its value before and after, in words."""

    label: str
    before: str
    after: str


@dataclass
class Listing:
    """A long list an entry holds (the records a page showed, the cases an export wrote)."""

    label: str
    items: list[str]


@dataclass
class Words:
    """One entry as the trail page shows it."""

    entry: AuditEntry
    at: dt.datetime  # Kazakhstan time
    label: str
    sentence: SafeString
    record_url: str | None = None
    changes: list[Change] = field(default_factory=list)
    # A new or a deleted record: its values in one column (``Change.after`` or ``.before``).
    one_sided: bool = False
    facts: list[tuple[str, str]] = field(default_factory=list)
    lists: list[Listing] = field(default_factory=list)


def model_of(label: str) -> type[models.Model] | None:
    """The model an entry's ``object_type`` names (``registry.case``), None if none."""
    try:
        return apps.get_model(label) if "." in label else None
    except (LookupError, ValueError):
        return None


def _subject_model(code: str) -> type[models.Model] | None:
    """The model a list read (``case.search``) or export is about, by its first word."""
    subject = code.split(".", 1)[0]
    for model in apps.get_models():
        if model._meta.model_name == subject:
            return model
    return None


def field_of(model: type[models.Model] | None, name: str) -> models.Field | None:
    """The field of ``model`` stored under ``name`` (its name or its column's attname)."""
    if model is None:
        return None
    for f in model._meta.concrete_fields:
        if name in (f.name, f.attname):
            return f
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _key(model: type[models.Model]) -> Callable[[str], Any]:
    """``text`` as an id of ``model``, None when it cannot be one (the stored name is shown)."""

    def key(text: str) -> Any:
        try:
            return model._meta.pk.to_python(text)
        except (ValueError, TypeError, ValidationError):
            return None

    return key


class _Records:
    """The records a page of entries names (their targets and the ids in their values), each
    model's rows read in one query, named in the active language."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        self._found: dict[tuple[type[models.Model], str], models.Model] = {}

    def want(self, model: type[models.Model] | None, pk: Any) -> None:
        if model is not None and pk not in (None, ""):
            self._wanted[model].add(str(pk))

    def load(self) -> None:
        for model, pks in self._wanted.items():
            rows = model._default_manager.in_bulk(
                [k for k in map(_key(model), pks) if k is not None]
            )
            for pk, row in rows.items():
                self._found[(model, str(pk))] = row

    def get(self, model: type[models.Model] | None, pk: Any) -> models.Model | None:
        return self._found.get((model, str(pk))) if model is not None else None


def record_name(obj: models.Model) -> str:
    """``obj`` named in the active language: "case 2026-79-000023" (its kind first when its
    own name does not say it)."""
    text = privacy.safe_repr(obj)
    kind = str(obj._meta.verbose_name)
    if kind.lower() in text.lower():
        return text
    return _("%(kind)s %(name)s") % {"kind": kind, "name": text}


def _when(value: str, *, date_only: bool) -> str | None:
    if date_only:
        day = parse_date(value) if len(value) == 10 else None
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else None
    moment = parse_datetime(value)
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def value_words(f: models.Field | None, value: Any, records: Any = None) -> str:
    """One stored value in words: a choice by its label, a time in Kazakhstan time, a yes/no,
    a related record by its name, a redacted text as such, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if value == privacy.REDACTED:
        return _("(text not kept in the trail)")
    if isinstance(value, bool):
        return pgettext("value", "yes") if value else pgettext("value", "no")
    if f is not None and f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.DateTimeField | models.DateField) and isinstance(value, str):
        shown = _when(value, date_only=not isinstance(f, models.DateTimeField))
        return shown if shown is not None else value
    if isinstance(f, models.ForeignKey) and records is not None:
        row = records.get(f.related_model, value)
        return privacy.safe_repr(row) if row is not None else str(value)
    if isinstance(value, list):
        return ", ".join(value_words(None, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_words(None, v)}" for k, v in value.items())
    return str(value)


# Labels of the keys details hold (filters, a denial's request, an export).
def _detail_labels() -> dict[str, str]:
    return {
        "reason": _("Reason"),
        "page": _("Page"),
        "status": _("Answer"),
        "asked": _("Right asked"),
        "method": _("Method"),
        "path": _("Address"),
        "ref": _("Record asked"),
        "format": _("Format"),
        "via": _("Made in"),
        "model": _("Records"),
        "username": _("User"),
        "results": _("Results"),
        "count": _("Count"),
        "filters": _("Filters"),
        "shown": _("Records shown"),
        "numbers": _("Case numbers"),
        "status_change": _("Status change no."),
        "date_from": _("From"),
        "date_to": _("To"),
        "region": _("Region"),
        "number": _("Number"),
        "action": _("Action"),
        "object": _("Record"),
        "object_type": _("Record type"),
        "record_type": _("Record type"),
        "record": _("Record"),
        "q": _("Search words"),
        "user": _("User"),
        "late": _("Late"),
        "due_soon": _("Due soon"),
        "review": _("To review"),
        "cases": _("Cases"),
        "reports": _("Reports"),
        "items": _("Items"),
        "listed": _("Listed"),
        "version": _("Version"),
        "table": _("Table"),
        "from": _("From"),
        "to": _("To"),
        "regions": _("Regions"),
        "articles": _("Articles"),
    }


def _filter_words(model: type[models.Model] | None, filters: dict) -> str:
    """The filters of a list read, in words: "region: Shymkent; status: terminated"."""
    if not filters:
        return _("no filters")
    labels, parts = _detail_labels(), []
    for key, value in filters.items():
        f = field_of(model, key)
        if value == "all":
            shown = _("all")
        elif key in ("region", "regions") or (f is not None and f.related_model is Region):
            shown = ", ".join(
                _region_name(v) for v in (value if isinstance(value, list) else [value])
            )
        elif key == "action" and isinstance(value, str) and actions.is_declared(value):
            shown = actions.label(value)
        elif key == "record_type" and (kind := model_of(str(value))) is not None:
            shown = str(kind._meta.verbose_name)
        elif key in ("date_from", "date_to", "from", "to") and isinstance(value, str):
            shown = _when(value, date_only=True) or value
        else:
            shown = value_words(f, value)
        label = str(f.verbose_name) if f is not None else labels.get(key, key)
        parts.append(f"{label[:1].lower() + label[1:]}: {shown}")
    return "; ".join(parts)


def _region_name(value: Any) -> str:
    region = Region.objects.filter(code=str(value)).first()
    if region is None and str(value).isdigit():
        region = Region.objects.filter(pk=int(value)).first()
    return region.name if region is not None else str(value)


def _changes(
    model: type[models.Model] | None, entry: AuditEntry, records: _Records
) -> list[Change]:
    """The fields the entry changed (a new or deleted record: its fields that hold a value), with
    their labels; the id and the fields nobody edits (a case's number parts) left out."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    rows = []
    for name in list(dict.fromkeys([*before, *after])):
        old, new = before.get(name), after.get(name)
        f = field_of(model, name)
        if (name in before and name in after and old == new) or (
            f is not None and (f.primary_key or (not f.editable and f.name != "created_at"))
        ):
            continue
        shown_old = value_words(f, old, records) if name in before else "—"
        shown_new = value_words(f, new, records) if name in after else "—"
        if shown_old == shown_new == "—":
            continue
        label = str(f.verbose_name) if f is not None else name.replace("_", " ")
        rows.append(Change(label[:1].upper() + label[1:], shown_old, shown_new))
    return rows


def _status(model: type[models.Model] | None, values: dict) -> str | None:
    """The status (or decision) in ``values`` in words, with its ground in brackets."""
    for name in ("status", "decision"):
        if name in values:
            text = value_words(field_of(model, name), values[name])
            for ground in ("termination_ground", "suspension_ground"):
                if values.get(ground):
                    text += f" ({value_words(field_of(model, ground), values[ground])})"
            return text
    return None


def _sentence(text: str, **parts: Any) -> SafeString:
    """``text`` (translated, with %(name)s) with each part escaped (a part already safe, the
    record's link, stays as it is)."""
    return mark_safe(conditional_escape(text) % {k: conditional_escape(v) for k, v in parts.items()})  # noqa: S308  # fmt: skip


def _describe_read_list(entry: AuditEntry, details: dict, user: str) -> tuple[SafeString, set]:
    model = _subject_model(entry.action)
    count = details.get("results", 0)
    text = ngettext(
        "%(user)s — %(label)s: %(count)s result (page %(page)s); filters: %(filters)s",
        "%(user)s — %(label)s: %(count)s results (page %(page)s); filters: %(filters)s",
        count if isinstance(count, int) else 0,
    )
    given = details.get("filters")
    filters: dict = given if isinstance(given, dict) else {}
    sentence = _sentence(
        text, user=user, label=actions.label(entry.action),
        count=formats.number_format(count) if isinstance(count, int) else count,
        page=details.get("page", 1), filters=_filter_words(model, filters),
    )  # fmt: skip
    return sentence, {"results", "page", "filters"}


def _describe_count(entry: AuditEntry, details: dict, user: str) -> tuple[SafeString, set]:
    count = details["count"]
    text = ngettext(
        "%(user)s — %(label)s: %(count)s record", "%(user)s — %(label)s: %(count)s records", count
    )
    sentence = _sentence(
        text, user=user, label=actions.label(entry.action), count=formats.number_format(count)
    )
    return sentence, {"count"}


def _describe_denial(details: dict, user: str) -> tuple[SafeString, set]:
    status = details.get("status")
    reasons = {403: _("no right to it"), 404: _("not found in their scope")}
    why = reasons.get(status, str(status or "")) if isinstance(status, int) else str(status or "")
    sentence = _sentence(
        _("%(user)s was refused %(path)s (%(why)s)"),
        user=user, path=details.get("path", "—"), why=why,
    )  # fmt: skip
    return sentence, {"path", "status"}


def _describe_record(
    entry: AuditEntry, model: type[models.Model] | None, record: Any, user: str
) -> SafeString:
    code, label = entry.action, actions.label(entry.action)
    before = entry.before if isinstance(entry.before, dict) else None
    after = entry.after if isinstance(entry.after, dict) else None
    if (code.endswith(".status.change") or code == "report.decide") and before and after:
        old, new = _status(model, before), _status(model, after)
        if old is not None and new is not None:
            text = (
                _("%(user)s recorded the decision on %(record)s: %(before)s → %(after)s")
                if code == "report.decide"
                else _("%(user)s changed the status of %(record)s: %(before)s → %(after)s")
            )
            return _sentence(text, user=user, record=record, before=old, after=new)
    if code.endswith(".view"):
        return _sentence(_("%(user)s opened %(record)s"), user=user, record=record)
    if before and after and model is not None and model._meta.label_lower == entry.object_type:
        return _sentence(
            _("%(user)s changed %(record)s — %(label)s"), user=user, record=record, label=label
        )
    return _sentence(_("%(user)s — %(label)s — %(record)s"), user=user, label=label, record=record)


def _facts(
    details: dict, used: set, model: type[models.Model] | None, prefix: str = ""
) -> tuple[list[tuple[str, str]], list[Listing]]:
    """The details not said in the sentence, as label: value; long lists apart; a dict of
    lists (what a control list showed, by category) one level down, its labels joined."""
    labels = _detail_labels()
    facts: list[tuple[str, str]] = []
    lists: list[Listing] = []
    for key, value in details.items():
        if key in used or value in (None, "", [], {}):
            continue
        label = prefix + labels.get(key, key.replace("_", " "))
        if key == "filters" and isinstance(value, dict):
            facts.append((label, _filter_words(model, value)))
        elif isinstance(value, dict) and any(isinstance(v, list | dict) for v in value.values()):
            inner_facts, inner_lists = _facts(value, set(), model, f"{label} — ")
            facts += inner_facts
            lists += inner_lists
        elif isinstance(value, list) and len(value) > _SHORT:
            lists.append(Listing(label, [value_words(None, item) for item in value]))
        else:
            facts.append((label, value_words(None, value)))
    return facts, lists


def _describe(entry: AuditEntry, records: _Records, link: Linker) -> Words:
    user = entry.username or "—"
    model = model_of(entry.object_type)
    row = records.get(model, entry.object_id)
    name = record_name(row) if row is not None else entry.object_repr
    url = link(row) if row is not None else None
    record = format_html('<a class="govuk-link" href="{}">{}</a>', url, name) if url else name
    details = entry.details if isinstance(entry.details, dict) else {}
    used: set[str] = set()
    if entry.object_type:
        sentence = _describe_record(entry, model, record, user)
    elif entry.action == _DENIED:
        sentence, used = _describe_denial(details, user)
    elif isinstance(details.get("results"), int):
        sentence, used = _describe_read_list(entry, details, user)
    elif isinstance(details.get("count"), int):
        sentence, used = _describe_count(entry, details, user)
    else:
        sentence = _sentence(
            _("%(user)s — %(label)s"), user=user, label=actions.label(entry.action)
        )
    facts, lists = _facts(details, used, model or _subject_model(entry.action))
    return Words(
        entry=entry, at=timezone.localtime(entry.at), label=actions.label(entry.action),
        sentence=sentence, record_url=url, changes=_changes(model, entry, records),
        facts=facts, lists=lists, one_sided=not entry.before or not entry.after,
    )  # fmt: skip


def _no_link(obj: models.Model) -> str | None:
    return None


def describe(entries: Iterable[AuditEntry], link: Linker = _no_link) -> list[Words]:
    """``entries`` in words in the active language; ``link(record)`` gives the URL of a record
    the reader may open (or None)."""
    entries = list(entries)
    records = _Records()
    for entry in entries:
        model = model_of(entry.object_type)
        records.want(model, entry.object_id)
        for values in (entry.before, entry.after):
            for name, value in (values or {}).items() if isinstance(values, dict) else ():
                f = field_of(model, name)
                if isinstance(f, models.ForeignKey):
                    records.want(f.related_model, value)
    records.load()
    return [_describe(entry, records, link) for entry in entries]
