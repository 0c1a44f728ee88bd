"""Review of issue 15's reply: what a new inquiry, an empty period and a missing signatory's name
did to the letter (a Kazakh intro opening in lower case, the position printed in the name's
narrow column, "— (барлығы – 0)" for an article without cases)."""

import datetime as dt

import pytest

from qorgau.campaigns.models import ActivityStatus, Plan, PlanKind
from qorgau.core.actors import Actor
from qorgau.letters import render, sections, services
from qorgau.letters.models import Inquiry
from qorgau.reference.models import Article

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def new_inquiry():
    """An inquiry registered as an official would: subjects as they stand after "по вопросам"
    / before "мәселелері бойынша", in lower case; no signatory's name."""
    return services.register_inquiry(
        SYSTEM, number="ДС-31", dated=dt.date(2026, 2, 1),
        addressee_kk="Мәжіліс депутаттарына", addressee_ru="Депутатам Мажилиса",
        subject_kk="сталкинг бойынша тіркелген қылмыстық істердің саны",
        subject_ru="количества зарегистрированных уголовных дел о сталкинге",
        questions="Сколько уголовных дел зарегистрировано?",
        articles=[Article.objects.get(code="115-1")],
    )  # fmt: skip


def blocks(inquiry, lang):
    return {b["key"]: b["text"] for b in services.compose(SYSTEM, inquiry, lang)[0]}


def test_a_kazakh_subject_in_lower_case_still_opens_the_letter_with_a_capital(seed):
    kk = blocks(new_inquiry(), "kk")["intro"]
    assert kk.startswith("Сталкинг бойынша тіркелген қылмыстық істердің саны мәселелері бойынша")
    # The seed's subject, already capitalised, is unchanged.
    ds16 = blocks(Inquiry.objects.get(number="ДС-16"), "kk")["intro"]
    assert ds16.startswith("Сталкингке (зорлық-зомбылықпен")


def test_without_a_signatory_name_the_position_stays_left_and_the_name_is_a_blank(seed):
    inquiry = new_inquiry()
    assert inquiry.signatory == ""
    kk = blocks(inquiry, "kk")["signature"]
    ru = blocks(inquiry, "ru")["signature"]
    assert kk == "Қазақстан Республикасының Премьер-Министрі\n_____"
    assert ru == "Премьер-Министр Республики Казахстан\n_____"
    draft = services.regenerate_reply(SYSTEM, inquiry, "ru")
    parts = render.layout(draft)
    assert parts["position"] == "Премьер-Министр Республики Казахстан"
    assert parts["name"] == "_____"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("kk", "Анықтама: ҚК-нің 125-1-бабы (некеге тұруға мәжбүрлеу) бойынша қылмыстық істер "
               "тіркелмеді."),
        ("ru", "Справка. По статье 125-1 УК (принуждение к вступлению в брак) уголовные дела не "
               "регистрировались."),
    ],
)  # fmt: skip
def test_an_article_without_cases_in_the_period_says_none_were_registered(seed, lang, expected):
    article = Article.objects.get(code="125-1")
    # The seed's cases end on 15 February 2026.
    text = services.reference_paragraph(
        SYSTEM, article, dt.date(2026, 12, 30), dt.date(2026, 12, 31), lang
    )
    assert text == expected
    assert "—" not in text and "0" not in text


def test_an_article_with_one_case_keeps_its_region_and_total(seed):
    article = Article.objects.get(code="125-1")
    day = dt.date(2026, 1, 1)
    counts = {
        lang: services.reference_paragraph(SYSTEM, article, day, dt.date(2026, 2, 15), lang)
        for lang in ("kk", "ru")
    }
    assert "(барлығы – 31)" in counts["kk"] and "(всего – 31)" in counts["ru"]
    assert "Алматы қаласында – 1" in counts["kk"] and "город Алматы – 1" in counts["ru"]


def test_the_media_plan_figures_are_those_of_the_periods_last_day(demo):
    """A reply counting to 15 February said "as of 15 February: done – 39" and the reach of
    activities completed in the months after it."""
    day = dt.date(2026, 2, 15)
    plan = Plan.objects.get(kind=PlanKind.NATIONAL)
    activities = list(plan.activities.select_related("responsible").prefetch_related("regions"))
    done = [a for a in activities if a.stored_status == ActivityStatus.DONE]
    later = [a for a in done if a.completed_on > day]
    assert later and len(later) < len(done)  # the demo completes some after the day
    figures = services.media_figures(activities, day)
    assert figures["done"] == len(done) - len(later)
    counted = [a for a in activities if a.stored_status != ActivityStatus.CANCELLED]
    assert figures["reach"] == sum(a.achieved_reach for a in counted if a not in later)
    # Later work is overdue where it was due before the day, not done.
    due_before = [a for a in later if a.due_on < day]
    assert figures["overdue"] >= len(due_before)
    # On the demo's own day every completed activity counts.
    assert services.media_figures(activities, dt.date(2026, 6, 30))["done"] == len(done)
    ds16 = Inquiry.objects.get(number="ДС-16")
    for lang, said in (("kk", "орындалғаны – {}, мерзімінде"), ("ru", "выполнено – {}, не")):
        text = services.compose(SYSTEM, ds16, lang, period_end=day)[0]
        media = next(b["text"] for b in text if b["key"] == "measures_media")
        assert said.format(figures["done"]) in media, media


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        # Words that held a topic's stem without naming the topic.
        ("Какие меры приняты в различных регионах?", set()),
        ("Установлена ли личность потерпевших?", set()),
        ("Халықаралық тәжірибе қалай ескерілді?", set()),
        ("What does the Republic of Kazakhstan plan?", set()),
        # The topics themselves.
        ("Проводится ли работа с личным составом?", {"training"}),
        ("Обучение личного состава", {"training"}),
        ("Халықты хабардар ету", {"informing"}),
        ("Халыққа түсіндіру", {"informing"}),
        ("How is the public informed?", {"informing"}),
    ],
)  # fmt: skip
def test_topics_are_named_by_their_words_not_by_words_containing_them(text, topics):
    assert sections.topics_of(text) == topics


def test_one_article_is_one_norm_in_the_first_years_figures(seed):
    ru = blocks(new_inquiry(), "ru")["figures_first_year"]
    assert ru.startswith("С момента введения нормы в действие (с 16 сентября 2025 года)")
    both = blocks(Inquiry.objects.get(number="ДС-16"), "ru")["figures_first_year"]
    assert both.startswith("С момента введения норм в действие")


def test_the_training_figures_name_their_period(demo):
    ds16 = Inquiry.objects.get(number="ДС-16")
    kk = blocks(ds16, "kk")["measures_training"]
    ru = blocks(ds16, "ru")["measures_training"]
    assert kk.startswith("Ағымдағы жылдың басынан бастап құқық қорғау органдарында")
    assert ru.startswith("С начала текущего года в правоохранительных органах проведены")
