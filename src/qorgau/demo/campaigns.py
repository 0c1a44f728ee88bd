"""Demonstration campaign and training data: the national media plan of 2026-01-30 with about
fifty activities across every participant kind, two akimats' plans, training sessions and
headcounts. Everything is marked ``is_demo``; names of organisations are generic."""

import datetime as dt
import random

from django.db import transaction

from qorgau.campaigns.models import (
    DEFAULT_CAMPAIGN_DATE,
    Activity,
    ActivityKind,
    ActivityStatus,
    Organisation,
    OrganisationKind,
    Plan,
    PlanKind,
    Topic,
)
from qorgau.reference.models import BodyKind, Region
from qorgau.training.models import Headcount, Session, TrainingFormat, TrainingTopic

K = OrganisationKind
ORGS = [
    ("Мәдениет және ақпарат министрлігі", "Министерство культуры и информации", K.STATE_BODY, None),
    ("Ішкі істер министрлігі", "Министерство внутренних дел", K.STATE_BODY, None),
    ("Бас прокуратура", "Генеральная прокуратура", K.STATE_BODY, None),
    ("Оқу-ағарту министрлігі", "Министерство просвещения", K.STATE_BODY, None),
    ("Шымкент қаласының әкімдігі", "Акимат города Шымкент", K.AKIMAT, "KZ-79"),
    ("Түркістан облысының әкімдігі", "Акимат Туркестанской области", K.AKIMAT, "KZ-61"),
    ("Астана қаласының әкімдігі", "Акимат города Астана", K.AKIMAT, "KZ-71"),
    ("«Қорғау» дағдарыс орталығы (демо)", "Кризисный центр «Защита» (демо)", K.NGO, "KZ-79"),
    (
        "Әйелдерді қолдау қоғамдық қоры (демо)",
        "Общественный фонд поддержки женщин (демо)",
        K.NGO,
        None,
    ),
    ("Заң колледжі (демо)", "Юридический колледж (демо)", K.EDUCATION, "KZ-71"),
    ("Адвокаттар алқасы (демо)", "Коллегия адвокатов (демо)", K.PROFESSIONAL, None),
    ("Республикалық телеарна (демо)", "Республиканский телеканал (демо)", K.MEDIA, None),
    ("Өңірлік газет (демо)", "Региональная газета (демо)", K.MEDIA, "KZ-61"),
    ("Жаңалықтар порталы (демо)", "Новостной портал (демо)", K.DIGITAL, None),
    (
        "Әлеуметтік желідегі блогерлер қауымдастығы (демо)",
        "Сообщество блогеров в соцсетях (демо)",
        K.SOCIAL,
        None,
    ),
    (
        "Құқықтанушылар сараптамалық кеңесі (демо)",
        "Экспертный совет правоведов (демо)",
        K.EXPERTS,
        None,
    ),
]
TITLES = {
    ActivityKind.PUBLICATION: (
        "Сталкинг үшін жауапкершілік туралы мақала",
        "Статья об ответственности за сталкинг",
    ),
    ActivityKind.BROADCAST: (
        "Некеге мәжбүрлеу туралы телебағдарлама",
        "Телепрограмма о принуждении к браку",
    ),
    ActivityKind.SOCIAL_SERIES: (
        "«Төзбеушілік» әлеуметтік желі сериясы",
        "Серия в соцсетях «Нетерпимость»",
    ),
    ActivityKind.VIDEO: ("111 желісі туралы бейнеролик", "Видеоролик о линии 111"),
    ActivityKind.INFOGRAPHIC: ("Жаңа нормалар инфографикасы", "Инфографика о новых нормах"),
    ActivityKind.LECTURE: ("Студенттерге арналған дәріс", "Лекция для студентов"),
    ActivityKind.ROUND_TABLE: (
        "Дөңгелек үстел: зардап шеккендерді қорғау",
        "Круглый стол: защита пострадавших",
    ),
    ActivityKind.OUTDOOR: ("Сыртқы жарнама: «Көмек бар»", "Наружная реклама: «Помощь есть»"),
    ActivityKind.HELPLINE: ("111 желісін насихаттау", "Продвижение линии 111"),
    ActivityKind.SCHOOL_LESSON: ("Мектептерде құқықтық сабақ", "Правовой урок в школах"),
}


@transaction.atomic
def load(today: dt.date, rng: random.Random | None = None) -> dict[str, int]:
    rng = rng or random.Random(30012026)
    regions = {r.code: r for r in Region.objects.all()}
    orgs = [
        Organisation.objects.create(
            name_kk=kk, name_ru=ru, kind=kind, region=regions.get(code or ""), is_demo=True
        )
        for kk, ru, kind, code in ORGS
    ]
    ministry = orgs[0]
    national = Plan.objects.create(
        title_kk="Ақпараттық-түсіндіру науқанының қосымша кешенді медиажоспары",
        title_ru="Дополнительный комплексный медиаплан информационно-разъяснительной кампании",
        kind=PlanKind.NATIONAL, approved_on=DEFAULT_CAMPAIGN_DATE, approved_by=ministry, lead=ministry,
        period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 12, 31), is_demo=True,
    )  # fmt: skip
    plans = [national]
    for code, org_index in (("KZ-79", 4), ("KZ-61", 5)):
        akimat = orgs[org_index]
        plans.append(Plan.objects.create(
            title_kk=f"{akimat.name_kk}: 2026 жылға арналған іс-шаралар жоспары",
            title_ru=f"{akimat.name_ru}: план мероприятий на 2026 год",
            kind=PlanKind.AKIMAT, approved_on=dt.date(2026, 2, rng.randint(5, 20)), approved_by=akimat, lead=akimat,
            period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 12, 31), region=regions[code], is_demo=True,
        ))  # fmt: skip
    sizes = {national: 50, plans[1]: 14, plans[2]: 12}
    count = 0
    kinds = list(TITLES)
    for plan, size in sizes.items():
        for i in range(size):
            kind = kinds[i % len(kinds)]
            responsible = orgs[i % len(orgs)] if plan is national else plan.lead
            due = plan.period_from + dt.timedelta(days=rng.randint(10, 320))
            roll = rng.random()
            if due < today:
                status = (
                    ActivityStatus.DONE
                    if roll < 0.72
                    else ActivityStatus.CANCELLED
                    if roll < 0.77
                    else rng.choice([ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS])
                )
            else:
                status = ActivityStatus.IN_PROGRESS if roll < 0.3 else ActivityStatus.PLANNED
            planned_reach = (
                rng.choice([0, 5000, 20000, 100000, 500000])
                if kind
                not in (ActivityKind.LECTURE, ActivityKind.ROUND_TABLE, ActivityKind.SCHOOL_LESSON)
                else 0
            )
            planned_participants = rng.choice([30, 50, 100, 300]) if not planned_reach else 0
            done = status == ActivityStatus.DONE
            kk, ru = TITLES[kind]
            activity = Activity.objects.create(
                plan=plan, title_kk=f"{kk} №{i + 1}", title_ru=f"{ru} №{i + 1}", kind=kind,
                topics=rng.sample(Topic.values, k=rng.randint(1, 3)), audience=rng.choice(["жастар / молодёжь", "әйелдер / женщины", "ата-аналар / родители", "мұғалімдер / учителя"]),
                responsible=responsible, due_on=due, stored_status=status,
                cancel_reason="Қаржыландыру жоқ / нет финансирования" if status == ActivityStatus.CANCELLED else "",
                completed_on=min(due, today) if done else None,
                evidence="https://example.kz/demo-evidence" if done else "",
                planned_count=rng.randint(1, 10), achieved_count=rng.randint(1, 10) if done else 0,
                planned_reach=planned_reach, achieved_reach=int(planned_reach * rng.uniform(0.6, 1.4)) if done else 0,
                planned_participants=planned_participants,
                achieved_participants=int(planned_participants * rng.uniform(0.7, 1.2)) if done else 0,
            )  # fmt: skip
            if plan is national:
                activity.regions.set(
                    rng.sample(list(regions.values()), k=rng.choice([0, 0, 1, 2, 3]))
                )
                activity.co_executors.set(rng.sample(orgs, k=rng.randint(0, 2)))
            else:
                activity.regions.set([plan.region] if plan.region else [])
            count += 1
    sessions = 0
    for region in regions.values():
        for body, staff in (
            (BodyKind.POLICE, rng.randint(800, 4000)),
            (BodyKind.PROSECUTOR, rng.randint(60, 300)),
        ):
            Headcount.objects.create(body=body, region=region, as_of=dt.date(2026, 1, 1), headcount=staff,
                                     source="Demonstration figure (not official)", is_demo=True)  # fmt: skip
        for _i in range(rng.randint(2, 6)):
            body = rng.choice([BodyKind.POLICE, BodyKind.POLICE, BodyKind.PROSECUTOR])
            Session.objects.create(
                held_on=dt.date(2026, 2, 1) + dt.timedelta(days=rng.randint(0, max(1, (today - dt.date(2026, 2, 1)).days))),
                body=body, unit=rng.choice(["Тергеу басқармасы / следственное управление", "Учаскелік полиция / участковая полиция", "Облыс прокуратурасы / прокуратура области"]),
                region=region, topics=rng.sample(TrainingTopic.values, k=rng.randint(1, 3)),
                format=rng.choice(TrainingFormat.values),
                participants={"investigator": rng.randint(5, 40), "district inspector": rng.randint(10, 80)} if body == BodyKind.POLICE else {"prosecutor": rng.randint(5, 25)},
                is_demo=True,
            )  # fmt: skip
            sessions += 1
    return {"plans": len(plans), "activities": count, "sessions": sessions}


def remove() -> None:
    Plan.objects.filter(is_demo=True).delete()
    Organisation.objects.filter(is_demo=True).delete()
    Session.objects.filter(is_demo=True).delete()
    Headcount.objects.filter(is_demo=True).delete()
