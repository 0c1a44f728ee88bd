"""Actions on the registry. Each is ``verb(actor, target, …)``: it asks the policy, locks,
changes, writes one audit entry (``registry.actions``) and returns, or raises a
``core.errors`` error with a translated message and changes nothing.

Views, CLI commands and (later) the API call these functions; none of them writes registry rows
itself. (Status changes and report decisions are in :mod:`.lifecycle`.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import with_reason, write
from qorgau.core import privacy
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid, Problem, refuse
from qorgau.reference import rules
from qorgau.reference.models import (
    Article,
    ArticlePart,
    Body,
    Region,
    RuleKind,
    TermUnit,
    format_term,
)

from . import actions, changes, lifecycle, numbering, trail
from .choices import (
    MINOR_AGE_BANDS,
    AgeBand,
    CaseStatus,
    Decision,
    ExtensionUnit,
    PartyRole,
    Relationship,
    Sex,
)
from .limits import AUTHORISED_BY_MAX, REASON_MAX, SUMMARY_MAX, too_long
from .models import Case, Party, Qualification, Report, TermExtension


def refuse_identifying(**values: str) -> None:
    """Raise :class:`Invalid` naming the first of ``values`` (field → free text) that holds
    an IIN, a phone number or an e-mail address (``core.privacy``)."""
    if found := privacy.problem(**values):
        message, field = found
        raise Invalid(field, message)


# --- Validation: the domain rules of the entry forms, the services and the import ----------
#
# Each ``*_problems`` function gives every (field, message) it finds, so that a form (which
# calls it from ``clean``) shows all of them at once, each next to its field, and a service
# (which raises them together with ``core.errors.refuse``) refuses with all of them. A value
# not given (None) is not checked: the form has already said what is wrong with it.


def _identifying(**values: str | None) -> list[Problem]:
    """(field, message) for each of ``values`` that holds identifying data."""
    found: list[Problem] = []
    for field, text in values.items():
        if text and (problem := privacy.problem(**{field: text})):
            found.append((problem[1], problem[0]))
    return found


def watched_since(article: Article | None = None) -> tuple[dt.date | None, str]:
    """(the day from which an event can concern ``article``, its code): the article's entry
    into force; without an article, the earliest of the articles the register watches ("")."""
    if article is not None:
        return article.in_force_on, article.code
    earliest: dt.date | None = Article.objects.aggregate(first=Min("in_force_on"))["first"]
    return earliest, ""


def _is_future(when: dt.datetime | dt.date) -> bool:
    """Later than now (a date: later than today in Kazakhstan)."""
    if isinstance(when, dt.datetime):
        return when > timezone.now()
    return when > timezone.localdate()


def _early(when: dt.datetime | dt.date, since: dt.date | None) -> bool:
    """Before ``since`` (a day in Kazakhstan)."""
    day = timezone.localtime(when).date() if isinstance(when, dt.datetime) else when
    return since is not None and day < since


def _in_force_message(code: str, since: dt.date) -> str:
    if code:
        return _("Article %(article)s is in force since %(date)s; this date is earlier.") % {
            "article": code,
            "date": since.isoformat(),
        }
    return _(
        "The offences this register watches are in force since %(date)s; this date is earlier."
    ) % {"date": since.isoformat()}


def date_problems(
    field: str, when: dt.datetime | dt.date | None, *, article: Article | None = None
) -> list[Problem]:
    """An event's date (a report's receipt, a case's registration, a requalification): not in
    the future (Kazakhstan time) and not before ``article`` (else every watched article) came
    into force."""
    if when is None:
        return []
    if _is_future(when):
        today = timezone.localdate().isoformat()
        return [
            (field, _("The date cannot be in the future (today is %(today)s).") % {"today": today})
        ]
    since, code = watched_since(article)
    if since is not None and _early(when, since):
        return [(field, _in_force_message(code, since))]
    return []


def body_problems(field: str, body: Body | None, region: Region | None) -> list[Problem]:
    """A body named for a record of ``region``: one of that region or a national one."""
    if body is None or region is None or body.region_id in (None, region.pk):
        return []
    return [
        (
            field,
            _(
                "%(body)s is a body of another region; choose a body of %(region)s or a national one."
            )
            % {"body": body.name, "region": region.name},
        )
    ]


def report_problems(
    region: Region | None,
    *,
    received_at: dt.datetime | None = None,
    receiving_body: Body | None = None,
    summary: str | None = None,
    suggested_article: Article | None = None,
) -> list[Problem]:
    """Every problem of a report's values: its date (not in the future, not before the article
    suggested, else the watched articles, came into force), its receiving body (of the report's
    region or national), its summary (not empty, at most ``SUMMARY_MAX`` characters, nothing
    identifying)."""
    found = date_problems("received_at", received_at, article=suggested_article)
    found += body_problems("receiving_body", receiving_body, region)
    if summary is not None:
        if not summary.strip():
            found.append(("summary", _("The summary must not be empty.")))
        found += too_long(summary=(summary, SUMMARY_MAX))
        found += _identifying(summary=summary)
    return found


def registration_problems(
    region: Region | None,
    *,
    article_part: ArticlePart | None,
    registered_at: dt.datetime | None,
    investigating_body: Body | None = None,
) -> list[Problem]:
    """Every problem of a case's registration: its date (not in the future, not before its
    article came into force) and its investigating body (of the case's region or national)."""
    article = article_part.article if article_part is not None else None
    found = date_problems("registered_at", registered_at, article=article)
    return found + body_problems("investigating_body", investigating_body, region)


@dataclass(frozen=True)
class PartyData:
    """Pseudonymous attributes of a party, as entered."""

    role: str
    sex: str = Sex.UNKNOWN
    age_band: str = AgeBand.UNKNOWN
    is_minor: bool | None = None  # None: derived from the age band
    relationship: str = ""
    consent_further_use: bool | None = None


def _unknown(value: str, values: Iterable[str], message: str, field: str) -> None:
    if value not in values:
        raise Invalid(field, message % {"value": value})


def check_party(data: PartyData) -> None:
    """Raise :class:`Invalid` unless ``data`` describes a party the registry can record."""
    _unknown(data.role, PartyRole.values, _("Unknown party role “%(value)s”."), "role")
    _unknown(data.sex, Sex.values, _("Unknown sex “%(value)s”."), "sex")
    _unknown(data.age_band, AgeBand.values, _("Unknown age band “%(value)s”."), "age_band")
    if data.relationship:
        message = _("Unknown relationship “%(value)s”.")
        _unknown(data.relationship, Relationship.values, message, "relationship")
    if data.relationship and data.role != PartyRole.SUSPECT:
        raise Invalid("relationship", _("Only a suspect has a relationship to the victim."))
    if data.consent_further_use is not None and data.role != PartyRole.VICTIM:
        raise Invalid("consent_further_use", _("Consent is recorded for victims only."))
    if (
        data.is_minor is not None
        and data.age_band != AgeBand.UNKNOWN
        and data.is_minor != (data.age_band in MINOR_AGE_BANDS)
    ):
        raise Invalid("is_minor", _("The minor flag contradicts the age band."))


def _party_fields(data: PartyData) -> dict[str, object]:
    """The Party fields for ``data``, with the minor flag derived from the age band when not
    given."""
    is_minor = data.is_minor if data.is_minor is not None else data.age_band in MINOR_AGE_BANDS
    return {
        "role": data.role,
        "sex": data.sex,
        "age_band": data.age_band,
        "is_minor": is_minor,
        "relationship": data.relationship,
        "consent_further_use": data.consent_further_use,
    }


def add_party(actor: Actor, case: Case, data: PartyData, *, reason: str | None = None) -> Party:
    """Add a victim or suspect to a case (``party.add``)."""
    policy.ensure(actor, "case.edit_parties", case)
    check_party(data)
    with transaction.atomic():
        party = Party.objects.create(case=case, **_party_fields(data))
        write(actor, actions.PARTY_ADD, case, after=trail.created(party),
              details=with_reason({"party": party.pk}, reason))  # fmt: skip
        changes.record(case, actions.PARTY_ADD)
    return party


def update_party(
    actor: Actor, party: Party, data: PartyData, *, reason: str | None = None
) -> Party:
    """Correct a party's attributes, e.g. record the victim's consent once it is asked
    (``party.update``)."""
    policy.ensure(actor, "case.edit_parties", party.case)
    check_party(data)
    with transaction.atomic():
        locked = Party.objects.select_for_update().get(pk=party.pk)
        before = trail.values(locked)
        for field, value in _party_fields(data).items():
            setattr(locked, field, value)
        locked.save()
        old, new = trail.changes(before, locked)
        write(actor, actions.PARTY_UPDATE, locked.case, before=old, after=new,
              details=with_reason({"party": locked.pk}, reason))  # fmt: skip
        changes.record(locked.case, actions.PARTY_UPDATE)
    return locked


def create_report(
    actor: Actor,
    region: Region,
    *,
    received_at: dt.datetime,
    channel: str,
    receiving_body: Body,
    summary: str,
    suggested_article: Article | None = None,
    is_demo: bool = False,
    reason: str | None = None,
) -> Report:
    """Enter a report received by a body of ``region``; it waits for a decision
    (``report.create``)."""
    policy.ensure(actor, "report.create", region)
    refuse(
        report_problems(
            region,
            received_at=received_at,
            receiving_body=receiving_body,
            summary=summary,
            suggested_article=suggested_article,
        )
    )
    with transaction.atomic():
        report = Report.objects.create(
            received_at=received_at,
            channel=channel,
            receiving_body=receiving_body,
            region=region,
            summary=summary.strip(),
            suggested_article=suggested_article,
            is_demo=is_demo,
            created_by=actor.user,
        )
        write(actor, actions.REPORT_CREATE, report, after=trail.created(report),
              details=with_reason(None, reason))  # fmt: skip
        changes.record(report, actions.REPORT_CREATE)
    return report


@dataclass(frozen=True)
class ImportedStatus:
    """The status an imported case already has (its earlier history is not in the file)."""

    status: str = CaseStatus.INVESTIGATION
    at: dt.datetime | None = None
    ground: str = ""
    joined_to: Case | None = None


def _taken(number: str) -> Conflict:
    return Conflict(
        _("Case number %(number)s is already taken.") % {"number": number}, field="number"
    )


def _given_number(number: str, region: Region, year: int) -> tuple[int | None, int | None]:
    """(year, position) of a ``number`` supplied from outside (one in the system's format must
    be the next of its sequence, which it takes; another format keeps (None, None))."""
    if not numbering.VALID_RE.match(number):
        raise Invalid(
            "number",
            _("A case number has letters, digits and hyphens only (got “%(number)s”).")
            % {"number": number},
        )
    given = numbering.check_given(number, region, year)
    if given is not None:
        numbering.claim_number(region, year, given)
    if Case.objects.filter(number=number).exists():
        raise _taken(number)
    return (year, given) if given is not None else (None, None)


def _link_reports(actor: Actor, case: Case, reports: Iterable[Report]) -> None:
    for report in reports:
        if report.region_id != case.region_id:
            raise Invalid("reports", _("A report of another region cannot open this case."))
        if report.decision != Decision.REGISTERED:
            lifecycle.decide(actor, report, Decision.REGISTERED, at=case.registered_at)
        case.reports.add(report)


def register_case(
    actor: Actor,
    region: Region,
    *,
    article_part: ArticlePart,
    registered_at: dt.datetime,
    investigating_body: Body | None = None,
    reports: Iterable[Report] = (),
    parties: Iterable[PartyData] = (),
    number: str = "",
    erdr_number: str = "",
    is_demo: bool = False,
    imported: ImportedStatus | None = None,
    reason: str | None = None,
) -> Case:
    """Register a pre-trial investigation in ``region`` (``case.register``): give it a number
    (unless one is supplied, e.g. by an import), record its ERDR number when known, its initial
    qualification and status, set its term, link its reports and record their decision, and
    add its parties — all in one transaction, with one audit entry.

    ``imported`` is for imports of cases that already have a later status.

    Registrations of one region and year queue for the number (``numbering``), so the number
    is taken last: the case is saved with a provisional one, its history rows and parties are
    written, then it is numbered and the audit entry written, and the transaction commits. A
    registration that fails anywhere gives nothing back to the sequence, because it took
    nothing from it yet or rolls back with it."""
    policy.ensure(actor, "case.create", region)
    refuse(
        registration_problems(
            region,
            article_part=article_part,
            registered_at=registered_at,
            investigating_body=investigating_body,
        )
    )
    parties = list(parties)
    for party in parties:
        check_party(party)
    if erdr_number:
        numbering.check_erdr_number(erdr_number)
    reports = list(reports)
    year = timezone.localtime(registered_at).year
    with transaction.atomic():
        if erdr_number and Case.objects.filter(erdr_number=erdr_number).exists():
            raise Conflict(
                _("ERDR number %(number)s is already recorded for another case.")
                % {"number": erdr_number},
                field="erdr_number",
            )
        number_year, number_seq = _given_number(number, region, year) if number else (None, None)
        case = Case(
            number=number or numbering.provisional(), number_year=number_year,
            number_seq=number_seq, erdr_number=erdr_number, registered_at=registered_at,
            region=region, investigating_body=investigating_body, article_part=article_part,
            status_at=registered_at, is_demo=is_demo, created_by=actor.user,
        )  # fmt: skip
        case.term_ends_on = rules.case_term_end(case, extensions=[], status_changes=[])
        if number:
            try:
                with transaction.atomic():
                    case.save(force_insert=True)
            except IntegrityError:
                raise _taken(number) from None
        else:
            case.save(force_insert=True)  # a provisional number no one else has
        _record_beginning(actor, case, imported or ImportedStatus())
        created = Party.objects.bulk_create(
            [Party(case=case, **_party_fields(party)) for party in parties]
        )
        details = _registration_details(reports, created, imported)
        if not number:
            # Last but the reports' decisions and the audit entries, which take the trail's
            # lock: the sequence stays locked from here until the commit.
            numbering.number_new_case(case, region, year)
        _link_reports(actor, case, reports)
        write(actor, actions.CASE_REGISTER, case, after=trail.created(case),
              details=with_reason(details, reason))  # fmt: skip
        changes.record(case, actions.CASE_REGISTER)
    return case


def _record_beginning(actor: Actor, case: Case, imported: ImportedStatus) -> None:
    """The case's first qualification and status rows."""
    Qualification.objects.create(
        case=case,
        article_part=case.article_part,
        qualified_at=case.registered_at,
        qualified_by=actor.user,
        reason="",  # shown as "initial qualification" in the reader's language
    )
    lifecycle.record_initial_status(
        actor,
        case,
        at=imported.at or case.registered_at,
        status=imported.status,
        ground=imported.ground,
        joined_to=imported.joined_to,
        reason="" if imported.at is None else _("imported"),
    )


def _registration_details(
    reports: list[Report], parties: list[Party], imported: ImportedStatus | None
) -> dict[str, object]:
    """The entry's details: the linked reports and the parties, in the order the case page
    lists them (reports newest first, parties by role), read from what was written."""
    newest_first = sorted(reports, key=lambda r: (r.received_at, r.pk), reverse=True)
    details: dict[str, object] = {
        "reports": list(dict.fromkeys(r.pk for r in newest_first)),
        "parties": [p.pk for p in sorted(parties, key=lambda p: (p.role, p.pk))],
    }
    if imported is not None:
        details["imported_status"] = imported.status
    return details


def requalify_problems(
    article_part: ArticlePart | None, *, reason: str | None, at: dt.datetime | None = None
) -> list[Problem]:
    """Every problem of a requalification: a reason (at most ``REASON_MAX`` characters,
    nothing identifying); the new article in force on its date."""
    found: list[Problem] = []
    if reason is not None:
        if not reason.strip():
            found.append(("reason", _("A requalification needs a reason.")))
        found += too_long(reason=(reason, REASON_MAX))
        found += _identifying(reason=reason)
    if article_part is not None:
        found += [
            ("article_part", message)
            for _field, message in date_problems(
                "at", at or timezone.now(), article=article_part.article
            )
        ]
    return found


def requalify(
    actor: Actor,
    case: Case,
    article_part: ArticlePart,
    *,
    reason: str,
    at: dt.datetime | None = None,
) -> Qualification:
    """Change a case's qualification; the previous one stays in the history
    (``case.requalify``). The term follows the category of the new qualification."""
    policy.ensure(actor, "case.requalify", case)
    at = at or timezone.now()
    refuse(requalify_problems(article_part, reason=reason, at=at))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not lifecycle.may_requalify(locked.status):
            raise Conflict(
                _("Case %(number)s is “%(status)s”: its qualification can no longer change.")
                % {"number": locked.number, "status": locked.get_status_display()},
                field="article_part",
            )
        if locked.article_part_id == article_part.pk:
            raise Conflict(_("The case already has this qualification."), field="article_part")
        if at < locked.registered_at:
            raise Invalid("at", _("A requalification cannot be dated before the registration."))
        before = trail.values(locked)
        record = Qualification.objects.create(
            case=locked, article_part=article_part, qualified_at=at,
            qualified_by=actor.user, reason=reason,
        )  # fmt: skip
        locked.article_part = article_part
        locked.term_ends_on = rules.case_term_end(locked)
        locked.save(update_fields=["article_part", "term_ends_on"])
        old, new = trail.changes(before, locked)
        write(actor, actions.CASE_REQUALIFY, locked, before=old, after=new,
              details={"reason": trail.named(reason), "qualification": record.pk})  # fmt: skip
        changes.record(locked, actions.CASE_REQUALIFY)
    case.article_part, case.term_ends_on = article_part, locked.term_ends_on
    return record


def extend_term(
    actor: Actor,
    case: Case,
    new_end: dt.date | None = None,
    *,
    amount: int | None = None,
    unit: str = ExtensionUnit.DAYS,
    authorised_by: str,
    reason: str,
    at: dt.datetime | None = None,
) -> TermExtension:
    """Record an authorised extension of the investigation term (``case.term.extend``): by a
    length (``amount`` days or months), or up to ``new_end`` (its length is then the days from
    the current end). The length counts in the term from then on, also when the term itself is
    recomputed."""
    policy.ensure(actor, "case.extend", case)
    if (new_end is None) == (amount is None):
        raise Invalid("amount", _("Give either the new end of the term or the extension's length."))
    if not authorised_by.strip() or not reason.strip():
        raise Invalid(None, _("An extension needs the authorising official and a reason."))
    refuse(extension_text_problems(authorised_by=authorised_by, reason=reason))
    if unit not in ExtensionUnit.values:
        raise Invalid("unit", _("Unknown unit “%(value)s”.") % {"value": unit})
    at = at or timezone.now()
    if _is_future(at):
        raise Invalid("at", _("An extension cannot be dated in the future."))
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("article_part__article")
            .get(pk=case.pk)
        )
        extension = _extension(actor, locked, new_end, amount, unit, at)
        extension.authorised_by, extension.reason = authorised_by.strip(), reason.strip()
        extension.save()
        before = trail.values(locked)
        locked.term_ends_on = extension.new_end
        locked.save(update_fields=["term_ends_on"])
        old, new = trail.changes(before, locked)
        write(actor, actions.CASE_TERM_EXTEND, locked, before=old, after=new,
              details={"extension": extension.pk, "amount": extension.amount,
                       "unit": extension.unit, "authorised_by": trail.named(authorised_by),
                       "reason": trail.named(reason)})  # fmt: skip
        changes.record(locked, actions.CASE_TERM_EXTEND)
    case.term_ends_on = extension.new_end
    return extension


def extension_text_problems(*, authorised_by: str | None, reason: str | None) -> list[Problem]:
    """The extension's texts: at most ``AUTHORISED_BY_MAX`` / ``REASON_MAX`` characters,
    nothing identifying."""
    found = list(too_long(authorised_by=(authorised_by, AUTHORISED_BY_MAX),
                          reason=(reason, REASON_MAX)))  # fmt: skip
    return found + _identifying(authorised_by=authorised_by, reason=reason)


def extension_problems(
    case: Case,
    *,
    amount: int | None,
    unit: str | None,
    authorised_by: str | None = None,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> list[Problem]:
    """Every problem of an extension of ``case``'s term by ``amount`` ``unit`` (checked as
    :func:`extend_term` will, without writing): the case's term may be extended, and the
    extension stays within the law's longest term (the message says it and its source)."""
    found = extension_text_problems(authorised_by=authorised_by, reason=reason)
    if amount is None or unit not in ExtensionUnit.values:
        return found
    try:
        _extension(None, case, None, amount, str(unit), at or timezone.now())
    except (Invalid, Conflict) as exc:
        found.append((exc.field if exc.field != "at" else None, str(exc)))
    return found


def _extension(
    actor: Actor | None,
    case: Case,
    new_end: dt.date | None,
    amount: int | None,
    unit: str,
    at: dt.datetime,
) -> TermExtension:
    """The extension of the (locked) ``case``'s term, checked, not saved yet."""
    if not lifecycle.term_running(case.status):
        raise Conflict(
            _("Only the term of a case under investigation or suspended can be extended.")
        )
    if at < case.registered_at:
        raise Invalid("at", _("An extension cannot be dated before the registration."))
    extensions = list(case.extensions.all())
    current = rules.case_term_end(case, extensions=extensions)
    if current is None:
        raise Conflict(_("The case has no investigation term to extend."))
    if new_end is not None:
        if new_end <= current:
            raise Invalid("new_end", _("The new end must be later than the current one."))
        amount, unit = (new_end - current).days, ExtensionUnit.DAYS
    if amount is None or amount <= 0:
        raise Invalid("amount", _("An extension must have a positive length."))
    extension = TermExtension(
        case=case, amount=amount, unit=unit, previous_end=current,
        extended_at=at, extended_by=actor.user if actor else None,
    )  # fmt: skip
    extension.new_end = _extended_end(case, extensions, extension)
    return extension


def _extended_end(case: Case, extensions: list[TermExtension], extension: TermExtension) -> dt.date:
    """The term's end with ``extension`` added; :class:`Invalid` when it passes the longest
    term the rules allow (``reference.rules.case_term_limit``) or any date."""
    limit = rules.case_term_limit(case)
    end: dt.date | None
    try:
        end = rules.case_term_end(case, extensions=[*extensions, extension])
    except (OverflowError, ValueError):  # past the year 9999
        end = None
    if limit is not None and (end is None or end > limit):
        raise Invalid("amount", _longest_term_message(case, limit))
    if end is None:
        raise Invalid("amount", _("The extension is too long."))
    return end


def _longest_term_message(case: Case, limit: dt.date) -> str:
    """Why an extension is refused: the longest term the law allows (its length from the
    registration and its legal source, ``DeadlineRule.max_amount`` / ``max_legal_source``) and
    the latest end it gives this case."""
    category = case.article_part.article.category
    rule = rules.RuleSet().get(RuleKind.INVESTIGATION_TERM, category)
    if rule is None or rule.max_amount is None:  # pragma: no cover - a limit has a rule
        longest, source = "", ""
    else:
        longest = format_term(rule.max_amount, rule.unit or TermUnit.MONTHS)
        source = rule.max_legal_source.split(" — ")[0].strip()
    return _(
        "The law allows an investigation term of at most %(longest)s from the registration "
        "(%(source)s): this case's term can be extended to %(date)s at the latest, and this "
        "extension would go past it."
    ) % {"longest": longest, "source": source, "date": limit.isoformat()}


def recompute_terms(actor: Actor, cases: QuerySet[Case] | None = None) -> int:
    """Recompute the term end of the open cases (under investigation or suspended) after a
    deadline rule changed (``registry.receivers``); returns the number of cases whose end
    moved, each with a ``case.term.recompute`` entry. Not asked of the policy: it is the
    consequence of a rule change, which only the admin site (or the system) can make."""
    cases = Case.objects.all() if cases is None else cases
    ruleset = rules.RuleSet()
    moved = 0
    open_cases = (
        cases.filter(status__in=lifecycle.OPEN_STATUSES)
        .select_for_update(of=("self",))
        .select_related("article_part__article")
        .prefetch_related("extensions", "status_changes")
    )
    with transaction.atomic():
        for case in open_cases:
            end = rules.case_term_end(case, ruleset=ruleset)
            if end != case.term_ends_on:
                before = trail.values(case)
                case.term_ends_on = end
                case.save(update_fields=["term_ends_on"])
                old, new = trail.changes(before, case)
                write(actor, actions.CASE_TERM_RECOMPUTE, case, before=old, after=new)
                changes.record(case, actions.CASE_TERM_RECOMPUTE)
                moved += 1
    return moved
