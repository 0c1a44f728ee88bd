"""Actions on the registry. Each takes the acting user, validates, locks, changes and records,
or raises :class:`RegistryError` with a translated message and changes nothing.

Views, CLI commands and (later) the API call these functions; none of them writes registry rows
itself.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.core import privacy
from qorgau.oversight import rules
from qorgau.reference.models import ArticlePart, Body, Region

from . import lifecycle, numbering
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
from .errors import RegistryError
from .models import Case, Party, Qualification, Report, TermExtension


@dataclass(frozen=True)
class PartyData:
    """Pseudonymous attributes of a party, as entered."""

    role: str
    sex: str = Sex.UNKNOWN
    age_band: str = AgeBand.UNKNOWN
    is_minor: bool | None = None  # None: derived from the age band
    relationship: str = ""
    consent_further_use: bool | None = None


def _check_party(data: PartyData) -> None:
    if data.role not in PartyRole.values:
        raise RegistryError(_("Unknown party role “%(value)s”.") % {"value": data.role})
    if data.sex not in Sex.values:
        raise RegistryError(_("Unknown sex “%(value)s”.") % {"value": data.sex})
    if data.age_band not in AgeBand.values:
        raise RegistryError(_("Unknown age band “%(value)s”.") % {"value": data.age_band})
    if data.relationship and data.relationship not in Relationship.values:
        raise RegistryError(_("Unknown relationship “%(value)s”.") % {"value": data.relationship})
    if data.relationship and data.role != PartyRole.SUSPECT:
        raise RegistryError(_("Only a suspect has a relationship to the victim."))
    if data.consent_further_use is not None and data.role != PartyRole.VICTIM:
        raise RegistryError(_("Consent is recorded for victims only."))
    if (
        data.is_minor is not None
        and data.age_band != AgeBand.UNKNOWN
        and data.is_minor != (data.age_band in MINOR_AGE_BANDS)
    ):
        raise RegistryError(_("The minor flag contradicts the age band."))


def _party_fields(data: PartyData) -> dict:
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


def add_party(case: Case, data: PartyData, *, user=None) -> Party:
    """Add a victim or suspect to a case."""
    policy.ensure(user, "case.edit_parties", case)
    _check_party(data)
    return Party.objects.create(case=case, **_party_fields(data))


def update_party(party: Party, data: PartyData, *, user=None) -> Party:
    """Correct a party's attributes, e.g. record the victim's consent once it is asked."""
    policy.ensure(user, "case.edit_parties", party.case)
    _check_party(data)
    with transaction.atomic():
        locked = Party.objects.select_for_update().get(pk=party.pk)
        for field, value in _party_fields(data).items():
            setattr(locked, field, value)
        locked.save()
    return locked


def create_report(
    *,
    user=None,
    received_at: dt.datetime,
    channel: str,
    receiving_body: Body,
    region: Region,
    summary: str,
    suggested_article=None,
    is_demo: bool = False,
) -> Report:
    """Enter a report received by a body; it waits for a decision."""
    policy.ensure(user, "report.create", region)
    if received_at > timezone.now():
        raise RegistryError(_("A report cannot be received in the future."))
    if not summary.strip():
        raise RegistryError(_("The summary must not be empty."))
    if found := privacy.problem(summary=summary):
        raise RegistryError(*found)
    return Report.objects.create(
        received_at=received_at,
        channel=channel,
        receiving_body=receiving_body,
        region=region,
        summary=summary.strip(),
        suggested_article=suggested_article,
        is_demo=is_demo,
        created_by=user,
    )


def register_case(
    *,
    user=None,
    region: Region,
    article_part: ArticlePart,
    registered_at: dt.datetime,
    investigating_body: Body | None = None,
    reports: Iterable[Report] = (),
    parties: Iterable[PartyData] = (),
    number: str = "",
    erdr_number: str = "",
    is_demo: bool = False,
    status: str = CaseStatus.INVESTIGATION,
    status_at: dt.datetime | None = None,
    ground: str = "",
    joined_to: Case | None = None,
) -> Case:
    """Register a pre-trial investigation: give it a number (unless one is supplied, e.g. by an
    import; one in the system's format must be the next of its sequence), record its ERDR
    number when known, its initial qualification and status, set its term, link its reports
    and record their decision, and add its parties — all in one transaction.

    ``status``/``status_at``/``ground``/``joined_to`` are for imports of cases that already
    have a later status; a new registration leaves them at their defaults."""
    policy.ensure(user, "case.create", region)
    article = article_part.article
    local_day = timezone.localtime(registered_at).date()
    if local_day < article.in_force_on:
        raise RegistryError(
            _(
                "Article %(article)s is in force since %(date)s; a case cannot be registered earlier."
            )
            % {"article": article.code, "date": article.in_force_on.isoformat()},
            "registered_at",
        )
    if registered_at > timezone.now():
        raise RegistryError(_("A case cannot be registered in the future."), "registered_at")
    if investigating_body and investigating_body.region_id not in (None, region.pk):
        raise RegistryError(
            _("The investigating body belongs to another region."), "investigating_body"
        )
    parties = list(parties)
    for party in parties:
        _check_party(party)
    if erdr_number:
        numbering.check_erdr_number(erdr_number)
    with transaction.atomic():
        if erdr_number and Case.objects.filter(erdr_number=erdr_number).exists():
            raise RegistryError(
                _("ERDR number %(number)s is already recorded for another case.")
                % {"number": erdr_number},
                "erdr_number",
            )
        number_year = number_seq = None
        if number:
            if not numbering.VALID_RE.match(number):
                raise RegistryError(
                    _("A case number has letters, digits and hyphens only (got “%(number)s”).")
                    % {"number": number},
                    "number",
                )
            number_seq = numbering.check_given(number, region, local_day.year)
            if number_seq is not None:
                number_year = local_day.year
                numbering.claim_number(region, number_year, number_seq)
            if Case.objects.filter(number=number).exists():
                raise RegistryError(
                    _("Case number %(number)s is already taken.") % {"number": number}, "number"
                )
        else:
            number_year = local_day.year
            number, number_seq = numbering.next_number(region, number_year)
        case = Case(
            number=number,
            number_year=number_year,
            number_seq=number_seq,
            erdr_number=erdr_number,
            registered_at=registered_at,
            region=region,
            investigating_body=investigating_body,
            article_part=article_part,
            status_at=registered_at,
            is_demo=is_demo,
            created_by=user,
        )
        case.term_ends_on = rules.case_term_end(case, extensions=[], status_changes=[])
        try:
            with transaction.atomic():
                case.save(force_insert=True)
        except IntegrityError:
            raise RegistryError(
                _("Case number %(number)s is already taken.") % {"number": number}, "number"
            ) from None
        Qualification.objects.create(
            case=case,
            article_part=article_part,
            qualified_at=registered_at,
            qualified_by=user,
            reason="",  # shown as "initial qualification" in the reader's language
        )
        lifecycle.record_initial_status(
            case,
            user=user,
            at=status_at or registered_at,
            status=status,
            ground=ground,
            joined_to=joined_to,
            reason="" if status_at is None else _("imported"),
        )
        for report in reports:
            if report.region_id != region.pk:
                raise RegistryError(_("A report of another region cannot open this case."))
            if report.decision != Decision.REGISTERED:
                lifecycle.decide(report, Decision.REGISTERED, user=user, at=registered_at)
            case.reports.add(report)
        for party in parties:
            add_party(case, party, user=user)
    return case


def requalify(
    case: Case, article_part: ArticlePart, *, user=None, reason: str, at=None
) -> Qualification:
    """Change a case's qualification; the previous one stays in the history."""
    policy.ensure(user, "case.requalify", case)
    if not reason.strip():
        raise RegistryError(_("A requalification needs a reason."))
    if found := privacy.problem(reason=reason):
        raise RegistryError(*found)
    at = at or timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.article_part_id == article_part.pk:
            raise RegistryError(_("The case already has this qualification."))
        if at < locked.registered_at:
            raise RegistryError(_("A requalification cannot be dated before the registration."))
        record = Qualification.objects.create(
            case=locked,
            article_part=article_part,
            qualified_at=at,
            qualified_by=user,
            reason=reason,
        )
        # The term follows the category of the new qualification (a misdemeanour and a crime
        # have different terms).
        locked.article_part = article_part
        locked.term_ends_on = rules.case_term_end(locked)
        locked.save(update_fields=["article_part", "term_ends_on"])
    case.article_part, case.term_ends_on = article_part, locked.term_ends_on
    return record


def extend_term(
    case: Case,
    new_end: dt.date | None = None,
    *,
    amount: int | None = None,
    unit: str = ExtensionUnit.DAYS,
    user=None,
    authorised_by: str,
    reason: str,
    at=None,
) -> TermExtension:
    """Record an authorised extension of the investigation term: by a length (``amount`` days
    or months), or up to ``new_end`` (its length is then the days from the current end). The
    length counts in the term from then on, also when the term itself is recomputed."""
    policy.ensure(user, "case.extend", case)
    if (new_end is None) == (amount is None):
        raise ValueError("give either new_end or amount")
    if not authorised_by.strip() or not reason.strip():
        raise RegistryError(_("An extension needs the authorising official and a reason."))
    if found := privacy.problem(authorised_by=authorised_by, reason=reason):
        raise RegistryError(*found)
    if unit not in ExtensionUnit.values:
        raise RegistryError(_("Unknown unit “%(value)s”.") % {"value": unit}, "unit")
    at = at or timezone.now()
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("article_part__article")
            .get(pk=case.pk)
        )
        if not lifecycle.term_running(locked.status):
            raise RegistryError(
                _("Only the term of a case under investigation or suspended can be extended.")
            )
        if at < locked.registered_at:
            raise RegistryError(_("An extension cannot be dated before the registration."))
        extensions = list(locked.extensions.all())
        current = rules.case_term_end(locked, extensions=extensions)
        if current is None:
            raise RegistryError(_("The case has no investigation term to extend."))
        if new_end is not None:
            if new_end <= current:
                raise RegistryError(_("The new end must be later than the current one."))
            amount, unit = (new_end - current).days, ExtensionUnit.DAYS
        if amount is None or amount <= 0:
            raise RegistryError(_("An extension must have a positive length."), "amount")
        extension = TermExtension(
            case=locked,
            amount=amount,
            unit=unit,
            previous_end=current,
            extended_at=at,
            extended_by=user,
            authorised_by=authorised_by.strip(),
            reason=reason.strip(),
        )
        extension.new_end = _extended_end(locked, extensions, extension)
        extension.save()
        locked.term_ends_on = extension.new_end
        locked.save(update_fields=["term_ends_on"])
    case.term_ends_on = extension.new_end
    return extension


def _extended_end(case: Case, extensions: list, extension: TermExtension) -> dt.date:
    """The term's end with ``extension`` added; RegistryError when it passes the longest term
    the rules allow (``oversight.rules.case_term_limit``) or any date."""
    limit = rules.case_term_limit(case)
    try:
        end = rules.case_term_end(case, extensions=[*extensions, extension])
    except (OverflowError, ValueError):  # past the year 9999
        end = None
    if limit is not None and (end is None or end > limit):
        raise RegistryError(
            _(
                "The term can be extended to %(date)s at the latest, the longest term the law "
                "allows for this case; this extension would go past it."
            )
            % {"date": limit.isoformat()},
            "amount",
        )
    if end is None:
        raise RegistryError(_("The extension is too long."), "amount")
    return end


def recompute_terms(cases=None) -> int:
    """Recompute the term end of the open cases (under investigation or suspended), e.g. after an
    administrator changed a deadline rule; returns the number of cases whose end moved. Each
    changed case is saved (and so audited) with its new end."""
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
                case.term_ends_on = end
                case.save(update_fields=["term_ends_on"])
                moved += 1
    return moved
