"""Free text that must not identify anyone: the one check, and the fields it guards.

The registry keeps no names, ID numbers or addresses (docs/architecture.md, "Privacy by
design"), but a few fields are free text typed by officials: a report's summary, a decision
note, the reason of a status change, the official who authorised an extension, a prosecutor's
instruction, an evidence note or file name. Those fields are declared here, by their field
class (:class:`SensitiveTextField`, :class:`SensitiveCharField`), and:

- refuse text holding an IIN (a valid individual identification number), a phone number or an
  e-mail address: the field's validator runs in model forms, the admin and ``full_clean``;
  forms and services call :func:`validate` (or :func:`problem`) on the same values;
- keep no value in the audit trail: :func:`qorgau.audit.log.snapshot` writes
  :data:`REDACTED` in place of a non-empty value, so an entry tells that the field changed,
  never what it says.

Names and street addresses cannot be told from ordinary words by a pattern; the forms ask for
none, and the trail no longer copies whatever slipped through.
"""

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# What the audit trail keeps of a non-empty sensitive value.
REDACTED = "[redacted]"

# IIN (ЖСН / ИИН): YYMMDD, a century-and-sex digit, four digits, a check digit. The check digit
# is the weighted sum of the first eleven digits mod 11 with weights 1..11, or — when that is
# 10 — with weights 3..11, 1, 2; a second 10 makes the number invalid. Source: Government
# Decree of the Republic of Kazakhstan of 11 June 2003 No. 565 (adilet.zan.kz P030000565_),
# rules of forming the IIN.
_WEIGHTS = ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))
# What people put between the groups of digits of a number they write down: spaces (also the
# no-break space), dots, slashes, hyphens, brackets ("900101 310004", "900101.310004",
# "8 (701) 123-45-67", "900101 / 310004").
_SEP_CHARS = r" \u00a0./\-()\[\]"
# Twelve digits in whole groups joined by up to three separators ("900101 310004",
# "9001 0130 0007", "900101  310004"), not inside a longer group, shaped like an IIN (a month
# 0x/1x, a day 0x–3x, a century-and-sex digit 0–6): :func:`is_iin` checks the rest. A letter
# may come just before ("ИИН900101310004"). Found by a look-ahead, so that candidates that
# overlap (three groups of six digits) are all tried; the classes are disjoint, so a try never
# backtracks: linear time on any text.
_IIN_SHAPE = (r"\d", r"\d", "[01]", r"\d", "[0-3]", r"\d", "[0-6]") + (r"\d",) * 5
_IIN_CANDIDATE = re.compile(
    r"(?<!\d)(?=(" + f"[{_SEP_CHARS}]{{0,3}}".join(_IIN_SHAPE) + r")(?!\d))"
)
# A date ("16.09.2025", "01/02/2026") is no one's IIN, but two dates side by side have the
# digits of a valid birth date in IIN order: dates are left out before IINs are looked for.
_DATE = re.compile(r"(?<!\d)\d{1,2}([./])\d{1,2}\1(?:19|20)\d{2}(?!\d)")
# A phone number: +7 / 8 / 7 then ten digits (Kazakh mobile 7xx and landline 7xxx codes, also
# Russian numbers), or ten digits beginning with 7 (a mobile number without its prefix), with
# separators between the digits; or any international number (+ and at least eight digits).
# Not preceded by a digit, a "+" or "digit-" (a case number "2026-79-000123").
_SEP = rf"[{_SEP_CHARS}]*"
_PHONE = re.compile(
    r"(?<![\d+])(?<!\d-)"
    rf"(?:(?:\+{_SEP}7|8|7){_SEP}\(?7\d{{2}}|\(?7\d{{2}})"
    rf"(?:{_SEP}\d){{7}}(?![\d])"
    rf"|\+{_SEP}\d(?:{_SEP}\d){{7,14}}(?![\d])"
)
# An e-mail address, also written to slip past a filter: "a.b@mail.ru", "a.b @ mail.ru",
# "a.b[at]mail.ru", "a.b (at) mail.ru", "a.b at mail.ru", "a.b собака mail.ru", and the dot
# as "[dot]", "(точка)", " dot ". Matched from the start of a run of address characters only:
# without the look-behind the search restarts at every character of a long run (quadratic
# time on 100 KB of letters). The last label must be letters ("собака 2.5 года" is a dog).
_BRACKETED = r"\s*[\[({{<]\s*(?:{words})\s*[\])}}>]\s*"
_AT = "(?:\\s*@\\s*|" + _BRACKETED.format(words="at|собака") + r"|\s+(?:at|собака)\s+)"
_DOT = "(?:\\.|" + _BRACKETED.format(words="dot|точка") + r"|\s+(?:dot|точка)\s+)"
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)
_TOP_LEVEL = re.compile(r"[^\W\d_]{2,}$")

MESSAGES = {
    "iin": _(
        "Remove the IIN (individual identification number): free text must not identify "
        "anyone. Write no names, ID numbers, phone numbers, e-mail or home addresses."
    ),
    "phone": _(
        "Remove the phone number: free text must not identify anyone. Write no names, ID "
        "numbers, phone numbers, e-mail or home addresses."
    ),
    "email": _(
        "Remove the e-mail address: free text must not identify anyone. Write no names, ID "
        "numbers, phone numbers, e-mail or home addresses."
    ),
}


def is_iin(digits: str) -> bool:
    """Whether ``digits`` (twelve digits) is a valid IIN: a real birth date, a century-and-sex
    digit 0–6, and the check digit. (A BIN, an organisation's number, has no birth date in its
    first six digits and is not refused.)"""
    if len(digits) != 12 or not digits.isdigit():
        return False
    if int(digits[6]) > 6:
        return False
    try:
        dt.date(2000 + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:  # no such day: not an IIN (a case number, a BIN, a count)
        return False
    values = [int(d) for d in digits]
    for weights in _WEIGHTS:
        check = sum(w * v for w, v in zip(weights, values, strict=False)) % 11
        if check != 10:
            return check == values[11]
    return False


@functools.lru_cache(maxsize=1024)
def _holds_iin(candidate: str) -> bool:
    # A long hostile text repeats the same candidates: each is checked once.
    return is_iin(re.sub(r"\D", "", candidate))


def find(text: str) -> str | None:
    """The kind of identifying data in ``text`` ("iin", "phone", "email"), or None."""
    if not text:
        return None
    for match in _IIN_CANDIDATE.finditer(_DATE.sub("#", text)):
        if _holds_iin(match.group(1)):
            return "iin"
    if _PHONE.search(text):
        return "phone"
    if any(_TOP_LEVEL.search(m.group()) for m in _EMAIL.finditer(text)):
        return "email"
    return None


def validate(value) -> None:
    """The field validator: raise ValidationError (code ``personal_data``) when ``value``
    holds an IIN, a phone number or an e-mail address."""
    kind = find(value if isinstance(value, str) else "")
    if kind:
        raise ValidationError(MESSAGES[kind], code="personal_data")


def problem(**values) -> tuple[str, str] | None:
    """For services: the first of ``values`` (field name → text) that holds identifying data,
    as ``(translated message, field)``; None when all are clean. Services raise
    ``core.errors.Invalid`` with both (``message, field = found; raise Invalid(field,
    message)``), so a page shows the message next to the field."""
    for field, value in values.items():
        kind = find(value if isinstance(value, str) else "")
        if kind:
            return str(MESSAGES[kind]), field
    return None


class _Sensitive:
    """Free text that may not identify anyone (see the module docstring)."""

    sensitive_text = True
    default_validators: list[Callable[[Any], None]] = [validate]

    def deconstruct(self):
        # The validator is not part of the schema: migrations see the plain Django field, so
        # declaring a field sensitive needs no migration (and historical models in data
        # migrations are plain fields).
        name, _path, args, kwargs = super().deconstruct()
        base = type(self).__mro__[2]
        return name, f"django.db.models.{base.__name__}", args, kwargs


class SensitiveTextField(_Sensitive, models.TextField):
    """A TextField that refuses identifying data and whose value the audit trail never keeps."""


class SensitiveCharField(_Sensitive, models.CharField):
    """A CharField that refuses identifying data and whose value the audit trail never keeps."""


def sensitive_fields(model) -> frozenset[str]:
    """The attribute names of ``model``'s sensitive free-text fields."""
    return frozenset(
        f.attname for f in model._meta.concrete_fields if getattr(f, "sensitive_text", False)
    )


def safe_repr(obj) -> str:
    """``str(obj)``, for a record that a log names (the audit trail's ``object_repr``), unless it
    holds the value of one of the record's sensitive fields (an evidence file's name): then
    "<verbose name> <pk>", which names the record and says nothing of what it holds."""
    text = str(obj)
    # __class__, not type(): request.user is a lazy proxy whose type is not the model.
    for name in sensitive_fields(obj.__class__):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value.strip() and value.strip() in text:
            return f"{obj._meta.verbose_name} {obj.pk}"
    return text


def redacted(value: object) -> object:
    """What the audit trail keeps of one sensitive value: :data:`REDACTED`, or the empty value
    itself (that a note is absent tells nothing)."""
    return REDACTED if value not in (None, "") else value


def redact(model, values: dict) -> dict:
    """``values`` (attribute name → value) with the value of every sensitive field replaced by
    :data:`REDACTED` (empty values stay empty: that a note is absent tells nothing)."""
    hidden = sensitive_fields(model)
    return {k: (redacted(v) if k in hidden else v) for k, v in values.items()}


def refuse_on_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """``pre_save`` guard for every model (connected in ``CoreConfig.ready``): whatever path
    writes a sensitive field — a service, the admin, an import, a shell — identifying data is
    refused with a ValidationError naming the field. Services check first (:func:`problem`) to
    answer with their own domain error; this catches any path that forgot."""
    if raw:
        return  # loading a fixture: the data is what was dumped
    for field in sender._meta.concrete_fields:
        if not getattr(field, "sensitive_text", False):
            continue
        if update_fields is not None and field.name not in update_fields:
            continue
        try:
            validate(getattr(instance, field.attname))
        except ValidationError as exc:
            raise ValidationError({field.name: exc.error_list}) from None
