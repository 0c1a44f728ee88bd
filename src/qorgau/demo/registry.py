"""Demonstration data: the source letter's figures (``load_seed``) and a larger, realistic
history around them (``load_demo``). Everything created here is marked ``is_demo``.

The seed reproduces every figure of ``data/seed_figures.json`` (copied from the Government's
reply to inquiry ДС-16): 15 and 12 cases from 2025-09-16 to 2025-12-31 and the regional
breakdowns for 2026, dated 2026-01-01 … 2026-02-15. The demo history adds only cases registered
after 2026-02-15, so those figures stay exact with the demo loaded too.
"""

import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau import registry as registry_app
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict
from qorgau.demo.letters import seed_inquiry
from qorgau.oversight.models import ControlKind, ControlRecord
from qorgau.reference.models import Article, ArticlePart, Body, BodyKind, Region
from qorgau.registry import lifecycle, services
from qorgau.registry.choices import (
    AgeBand,
    CaseStatus,
    Channel,
    Decision,
    PartyRole,
    Relationship,
    Sex,
    SuspensionGround,
    TerminationGround,
)
from qorgau.registry.models import Case, Report

from . import campaigns as campaign_demo
from . import portal as portal_demo

# The letter's figures stay with the registry (the letters' tests read them too).
FIGURES_PATH = Path(registry_app.__file__).resolve().parent / "data" / "seed_figures.json"
SEED_2026_END = dt.date(2026, 2, 15)


def load_figures() -> dict:
    """The letter's figures as data."""
    return json.loads(FIGURES_PATH.read_text(encoding="utf-8"))


def _local(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment in working hours of ``day``, Kazakhstan time."""
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _spread(start: dt.date, end: dt.date, count: int, rng: random.Random) -> list[dt.date]:
    days = (end - start).days
    return sorted(start + dt.timedelta(days=rng.randint(0, days)) for _ in range(count))


def has_demo_data() -> bool:
    return (
        Case.objects.filter(is_demo=True).exists() or Report.objects.filter(is_demo=True).exists()
    )


def remove_demo_data() -> None:
    """Delete everything marked as demonstration data."""
    with transaction.atomic():
        campaign_demo.remove()
        portal_demo.remove()
        demo_cases = Case.objects.filter(is_demo=True)
        demo_cases.update(joined_to=None)
        demo_cases.delete()
        Report.objects.filter(is_demo=True).delete()


def _bodies() -> dict[str, Body]:
    police = Body.objects.filter(kind=BodyKind.POLICE, region__isnull=False).select_related(
        "region"
    )
    return {b.region.code: b for b in police if b.region is not None}


def _seed_part(article: Article, rng: random.Random) -> ArticlePart:
    parts = list(article.parts.order_by("number"))
    # Most cases are qualified under part 1; aggravated parts are rarer.
    return parts[0] if len(parts) == 1 or rng.random() < 0.8 else parts[1]


def load_seed(actor: Actor) -> list[Case]:
    """Create the cases behind every figure of the source letter, marked as demonstration data,
    as ``actor`` (``Actor.system("load-seed")`` from the command).

    Raises Conflict if demonstration data is already present.
    """
    if has_demo_data():
        raise Conflict(_("Demonstration data is already loaded."))
    figures = load_figures()
    rng = random.Random(16092025)
    regions = {r.code: r for r in Region.objects.all()}
    bodies = _bodies()
    articles = {a.code: a for a in Article.objects.prefetch_related("parts")}
    plan: list[tuple[str, str, dt.date]] = []  # (article, region code, day)
    for block in figures["cases_registered"]:
        article = block["article"]
        start = dt.date.fromisoformat(block["from"])
        if "by_region_iso" in block:
            end = SEED_2026_END
            for code, count in block["by_region_iso"].items():
                plan += [(article, code, day) for day in _spread(start, end, count, rng)]
        else:
            # The letter gives 2025 totals without regions: spread them over the regions in
            # proportion to the 2026 breakdown of the same article.
            end = dt.date.fromisoformat(block["to"])
            later = next(
                b
                for b in figures["cases_registered"]
                if b["article"] == article and "by_region_iso" in b
            )["by_region_iso"]
            codes = rng.choices(list(later), weights=list(later.values()), k=block["total"])
            days = _spread(start, end, block["total"], rng)
            plan += list(zip([article] * len(days), codes, days, strict=True))
    created = []
    with transaction.atomic():
        seed_inquiry()
        for article, code, day in sorted(plan, key=lambda p: (p[2], p[1], p[0])):
            created.append(
                services.register_case(
                    actor,
                    regions[code],
                    article_part=_seed_part(articles[article], rng),
                    registered_at=_local(day, rng),
                    investigating_body=bodies.get(code),
                    is_demo=True,
                )
            )
    return created


# --- The larger demo history ------------------------------------------------------------

VICTIM_SEX = {
    "115-1": [(Sex.FEMALE, 80), (Sex.MALE, 17), (Sex.UNKNOWN, 3)],
    "125-1": [(Sex.FEMALE, 92), (Sex.MALE, 6), (Sex.UNKNOWN, 2)],
}
VICTIM_AGE = {
    "115-1": [
        (AgeBand.AGE_14_17, 6),
        (AgeBand.AGE_18_24, 28),
        (AgeBand.AGE_25_34, 34),
        (AgeBand.AGE_35_44, 18),
        (AgeBand.AGE_45_54, 8),
        (AgeBand.AGE_55_64, 3),
        (AgeBand.UNKNOWN, 3),
    ],
    "125-1": [
        (AgeBand.UNDER_14, 1),
        (AgeBand.AGE_14_17, 22),
        (AgeBand.AGE_18_24, 55),
        (AgeBand.AGE_25_34, 15),
        (AgeBand.AGE_35_44, 4),
        (AgeBand.UNKNOWN, 3),
    ],
}
RELATIONSHIP = {
    "115-1": [
        (Relationship.FORMER_PARTNER, 40),
        (Relationship.ACQUAINTANCE, 22),
        (Relationship.STRANGER, 14),
        (Relationship.COLLEAGUE, 10),
        (Relationship.SPOUSE, 6),
        (Relationship.RELATIVE, 3),
        (Relationship.UNKNOWN, 5),
    ],
    "125-1": [
        (Relationship.ACQUAINTANCE, 38),
        (Relationship.RELATIVE, 18),
        (Relationship.FORMER_PARTNER, 16),
        (Relationship.STRANGER, 16),
        (Relationship.UNKNOWN, 12),
    ],
}
CHANNELS = [
    (Channel.IN_PERSON, 30),
    (Channel.CALL_102, 25),
    (Channel.HELPLINE_111, 10),
    (Channel.WRITTEN, 12),
    (Channel.E_OTINISH, 13),
    (Channel.MEDIA, 4),
    (Channel.REFERRAL, 6),
]
SUMMARIES = {
    "115-1": [
        "Бұрынғы серіктесі бірнеше ай бойы жұмыс орнының жанында күтіп, хабарламалар жібереді.",
        "Бейтаныс адам әлеуметтік желіде жазып, үйіне дейін еріп жүреді.",
        "Бывший супруг ежедневно звонит с разных номеров и следит у подъезда.",
        "Коллега преследует после работы, несмотря на просьбы прекратить.",
    ],
    "125-1": [
        "Туыстары қызды қарсылығына қарамастан некеге тұруға мәжбүрлейді.",
        "Жігіт пен оның туыстары қызды алып кетіп, үйленуге қысым көрсетті.",
        "Родственники угрожают и принуждают к вступлению в брак.",
        "Несовершеннолетнюю принуждают к сожительству под угрозой.",
    ],
}


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _parties(article: str, rng: random.Random) -> list[services.PartyData]:
    age = _pick(rng, VICTIM_AGE[article])
    consent = rng.choice([True, True, False, None])
    return [
        services.PartyData(
            role=PartyRole.VICTIM,
            sex=_pick(rng, VICTIM_SEX[article]),
            age_band=age,
            consent_further_use=consent,
        ),
        services.PartyData(
            role=PartyRole.SUSPECT,
            sex=_pick(rng, [(Sex.MALE, 88), (Sex.FEMALE, 10), (Sex.UNKNOWN, 2)]),
            age_band=_pick(
                rng,
                [
                    (AgeBand.AGE_18_24, 25),
                    (AgeBand.AGE_25_34, 40),
                    (AgeBand.AGE_35_44, 20),
                    (AgeBand.AGE_45_54, 10),
                    (AgeBand.UNKNOWN, 5),
                ],
            ),
            relationship=_pick(rng, RELATIONSHIP[article]),
        ),
    ]


def _report(actor: Actor, rng, region, body, article, received_at) -> Report:
    # Not before the article came into force (the service refuses an earlier date): a case
    # registered on its first day had its report the same morning, not the day before.
    in_force = timezone.make_aware(dt.datetime.combine(article.in_force_on, dt.time()))
    return services.create_report(
        actor,
        region,
        received_at=max(received_at, in_force),
        channel=_pick(rng, CHANNELS),
        receiving_body=body,
        summary=rng.choice(SUMMARIES[article.code]),
        suggested_article=article,
        is_demo=True,
    )


def _advance(
    actor: Actor, case: Case, now: dt.datetime, rng: random.Random, others: list[Case]
) -> None:
    """Move an older case along a plausible path of statuses."""
    age_days = (now - case.registered_at).days
    if age_days < 20:
        return
    at = case.registered_at + dt.timedelta(days=rng.randint(10, min(age_days, 75)))
    roll = rng.random()
    if roll < 0.55:
        lifecycle.transition(
            actor,
            case,
            CaseStatus.SENT_TO_COURT,
            at=at,
            reason="Айыптау актісі / обвинительный акт",
        )
    elif roll < 0.75:
        ground = _pick(
            rng,
            [
                (TerminationGround.NO_CORPUS_DELICTI, 5),
                (TerminationGround.NOT_ESTABLISHED, 3),
                (TerminationGround.NO_EVENT, 1),
            ],
        )
        lifecycle.transition(
            actor, case, CaseStatus.TERMINATED, at=at, ground=ground, reason="Қаулы / постановление"
        )
        if rng.random() < 0.15 and at + dt.timedelta(days=10) < now:
            lifecycle.transition(
                actor,
                case,
                CaseStatus.INVESTIGATION,
                at=at + dt.timedelta(days=rng.randint(3, 10)),
                reason="Прокурор тоқтату туралы қаулының күшін жойды / прокурор отменил прекращение",
            )
    elif roll < 0.87:
        lifecycle.transition(
            actor,
            case,
            CaseStatus.SUSPENDED,
            at=at,
            ground=SuspensionGround.SUSPECT_HIDING,
            reason="Күдікті іздестіруде / подозреваемый в розыске",
        )
        if rng.random() < 0.3 and at + dt.timedelta(days=15) < now:
            lifecycle.transition(
                actor,
                case,
                CaseStatus.INVESTIGATION,
                at=at + dt.timedelta(days=rng.randint(5, 15)),
                reason="Күдікті табылды / подозреваемый установлен",
            )
    elif roll < 0.89 and others:
        target = rng.choice(others)
        if (
            target.status != CaseStatus.JOINED
            and target.pk != case.pk
            and target.region_id == case.region_id
        ):
            lifecycle.transition(
                actor,
                case,
                CaseStatus.JOINED,
                at=at,
                joined_to=target,
                reason="Бір іс жүргізуге біріктірілді / соединено в одно производство",
            )
    if (
        case.status == CaseStatus.INVESTIGATION
        and case.term_ends_on
        and case.term_ends_on < now.date()
        and rng.random() < 0.5
    ):
        services.extend_term(
            actor,
            case,
            case.term_ends_on + dt.timedelta(days=30),
            authorised_by="Облыс прокуроры / прокурор области",
            reason="Сараптама тағайындалды / назначена экспертиза",
            at=at,
        )


def _review(case: Case, now: dt.datetime, rng: random.Random) -> None:
    """A prosecutor's review of a termination, as most terminations get one."""
    reviewed_at = min(now, case.status_at + dt.timedelta(days=rng.randint(1, 10)))
    ControlRecord.objects.create(
        kind=ControlKind.REVIEW,
        case=case,
        instruction="Тоқтату заңдылығын тексеру / проверить законность прекращения",
        result="Тоқтату заңды / прекращение законно",
        result_at=reviewed_at,
    )


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress shown (the default of :func:`load_demo`)."""


def load_demo(
    actor: Actor,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[str, int, int], None] = _quiet,
) -> dict[str, int]:
    """Load the seed and a realistic history around it, as ``actor``; returns what was
    created. ``progress(stage, done, total)`` is told how far each stage has come."""
    now = now or timezone.now()
    rng = random.Random(2026)
    progress(_("the letter's cases"), 0, 1)
    seed_cases = load_seed(actor)
    progress(_("the letter's cases"), 1, 1)
    regions = {r.code: r for r in Region.objects.all()}
    bodies = _bodies()
    articles = {a.code: a for a in Article.objects.prefetch_related("parts")}
    figures = load_figures()
    weights = dict.fromkeys(regions, 1)  # every region records some cases
    for block in figures["cases_registered"]:
        for code, count in block.get("by_region_iso", {}).items():
            weights[code] += count
    # Weekly rate after the seed period: higher after the campaign, slowly rising.
    new_cases: list[Case] = []
    today = timezone.localtime(now).date()
    weeks = max(0, ((today - dt.timedelta(days=1)) - SEED_2026_END).days + 6) // 7
    week_no = 0
    with transaction.atomic():
        for done, case in enumerate(seed_cases, 1):
            progress(_("their reports and parties"), done, len(seed_cases))
            report = _report(
                actor,
                rng,
                case.region,
                bodies[case.region.code],
                case.article,
                case.registered_at - dt.timedelta(hours=rng.randint(1, 20)),
            )
            case.reports.add(report)
            lifecycle.decide(actor, report, Decision.REGISTERED, at=case.registered_at)
            for party in _parties(case.article.code, rng):
                services.add_party(actor, case, party)
        day = SEED_2026_END + dt.timedelta(days=1)
        while True:
            week_end = min(
                day + dt.timedelta(days=6), timezone.localtime(now).date() - dt.timedelta(days=1)
            )
            if week_end < day:
                break
            week: list[tuple[dt.datetime, str, Region]] = []
            for code, mean in (("115-1", 7.0), ("125-1", 3.0)):
                count = max(0, round(rng.gauss(mean + (day - SEED_2026_END).days / 60, 1.5)))
                for when in _spread(day, week_end, count, rng):
                    region = regions[rng.choices(list(weights), weights=list(weights.values()))[0]]
                    week.append((_local(when, rng), code, region))
            # Registered in time order, so numbers grow with the registration time.
            for registered_at, code, region in sorted(week, key=lambda item: item[0]):
                # Most reports are decided within the day; about one in twenty is late.
                delay = rng.randint(25, 72) if rng.random() < 0.05 else rng.randint(1, 20)
                report = _report(
                    actor,
                    rng,
                    region,
                    bodies[region.code],
                    articles[code],
                    registered_at - dt.timedelta(hours=delay),
                )
                new_cases.append(
                    services.register_case(
                        actor,
                        region,
                        article_part=_seed_part(articles[code], rng),
                        registered_at=registered_at,
                        investigating_body=bodies[region.code],
                        reports=[report],
                        parties=_parties(code, rng),
                        is_demo=True,
                    )
                )
            day = week_end + dt.timedelta(days=1)
            week_no += 1
            progress(_("weeks of history"), min(week_no, weeks), weeks)
        all_cases = seed_cases + new_cases
        for done, case in enumerate(all_cases, 1):
            progress(_("statuses, terms and reviews"), done, len(all_cases))
            _advance(actor, case, now, rng, all_cases)
            if case.status == CaseStatus.TERMINATED and rng.random() < 0.7:
                _review(case, now, rng)
        # Reports that did not become cases, and some still waiting (a few of them late).
        outcomes = [(Decision.NO_OFFENCE, 60), (Decision.SENT_ELSEWHERE, 15), (Decision.PENDING, 8)]
        other_reports = 0
        for done in range(1, 91):
            progress(_("reports without a case"), done, 90)
            region = regions[rng.choices(list(weights), weights=list(weights.values()))[0]]
            article = articles[rng.choice(["115-1", "115-1", "125-1"])]
            received = now - dt.timedelta(hours=rng.randint(2, 24 * 200))
            report = _report(actor, rng, region, bodies[region.code], article, received)
            decision = _pick(rng, outcomes)
            if decision != Decision.PENDING:
                late = rng.random() < 0.1
                decided = received + dt.timedelta(
                    hours=rng.randint(25, 60) if late else rng.randint(1, 20)
                )
                lifecycle.decide(
                    actor,
                    report,
                    decision,
                    at=min(decided, now),
                    note="Әкімшілік құқық бұзушылық / передано в другой орган"
                    if decision == Decision.SENT_ELSEWHERE
                    else "",
                )
            other_reports += 1
    progress(_("campaign and training"), 0, 1)
    campaign = campaign_demo.load(timezone.localtime(now).date())
    help_contacts = portal_demo.load()
    progress(_("campaign and training"), 1, 1)
    return {
        "help_contacts": help_contacts,
        "seed_cases": len(seed_cases),
        "more_cases": len(new_cases),
        "other_reports": other_reports,
        **campaign,
    }
