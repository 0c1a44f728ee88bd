"""The reply built from sections that answer the inquiry (issue 15, items 1, 2 and 4): ДС-16 from
the seed and the demonstration data has every paragraph of the Government's letter in its
order; Kazakh and Russian carry the same numbers, block by block; the drafter switches sections
off and reorders them, and edits standard texts that outlive a new draft; another inquiry with
other questions gets other sections; the signature, executor, addressee and outgoing blocks."""

import datetime as dt
import zoneinfo
from collections import Counter

import pytest

from qorgau.access import policy
from qorgau.audit.models import AuditEntry
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.letters import sections, services
from qorgau.letters.models import Inquiry, ReplyDraft
from qorgau.reference.models import Article
from tests.fixtures import make_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")

# The source letter's paragraphs (shared/seed/000_….txt), in order: the block holding each and
# words of it the reply must say, in Kazakh and in Russian.
SOURCE_PARAGRAPHS = [
    ("intro", "адамды еркінен тыс қудалау) және некеге тұруға мәжбүрлеуге қылмыстық сипат беру",
     "преследования человека против его воли"),
    ("law", "Қазақстан Республикасының Қылмыстық кодексі (бұдан әрі – ҚК)",
     "Уголовный кодекс Республики Казахстан (далее – УК)"),
    ("assessment", "шараларының жеткіліксіздігін көрсетті", "показал недостаточность мер"),
    ("figures_first_year", "2025 жылдың соңына дейін", "до конца 2025 года"),
    ("measures", "жұмысты жандандырды", "активизирована работа"),
    ("training", "жеке құраммен түсіндіру жұмыстары тұрақты негізде жүргізіледі",
     "на постоянной основе проводится разъяснительная работа с личным составом"),
    ("training_rules", "сотқа дейінгі тергеп-тексеру жүргізу тәртібі түсіндіріледі",
     "правила регистрации, рассмотрения заявлений и сообщений, а также разъясняется порядок"),
    ("figures_current", "Қабылданған шаралардың нәтижесінде ағымдағы жылдың басынан бастап",
     "В результате принятых мер с начала текущего года"),
    ("reference_115-1", "Анықтама: ҚК-нің 115-1-бабы", "Справка. По статье 115-1 УК"),
    ("reference_125-1", "ҚК-нің 125-1-бабы", "По статье 125-1 УК"),
    ("measures_media", "2026 жылғы 30 қаңтарда Мәдениет және ақпарат министрлігі",
     "30 января 2026 года Министерством культуры и информации"),
    ("media_aims", "Науқанның негізгі мақсаты", "Основная цель кампании"),
    ("media_participants", "үкіметтік емес ұйымдар, білім беру мекемелері",
     "неправительственные организации, учебные заведения"),
    ("measures_local", "жергілікті атқарушы органдар да 2026 жылға арналған осындай",
     "также утверждены аналогичные планы мероприятий на 2026 год"),
    ("oversight", "уәкілетті органдардың бақылауында", "на контроле уполномоченных органов"),
    ("signature", "Қазақстан Республикасының Премьер-Министрі\nО. Бектенов",
     "Премьер-Министр Республики Казахстан\nО. Бектенов"),
]  # fmt: skip


def texts(inquiry, lang, **options):
    blocks = services.compose(SYSTEM, inquiry, lang, **options)[0]
    return {b["key"]: b["text"] for b in blocks}, [b["key"] for b in blocks if b["text"]]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_ds16_with_the_demo_data_has_every_paragraph_of_the_source_letter_in_order(demo, lang):
    by_key, order = texts(Inquiry.objects.get(number="ДС-16"), lang)
    positions = []
    for key, kk, ru in SOURCE_PARAGRAPHS:
        assert (kk if lang == "kk" else ru) in by_key[key], (key, by_key[key])
        positions.append(order.index(key))
    assert positions == sorted(positions)
    # The training data's paragraph stands with the staff training, before the year's figures.
    assert order.index("training_rules") < order.index("measures_training")
    assert order.index("measures_training") < order.index("figures_current")


def test_corrected_kazakh_phrases(seed):
    by_key, _order = texts(Inquiry.objects.get(number="ДС-16"), "kk")
    letter = "\n".join(by_key.values())
    assert "қолданысқа енгізілді" in by_key["law"] and "күшіне енді" not in letter
    assert "(«Сталкинг») және 125-1 («Некеге тұруға мәжбүрлеу») баптарымен" in by_key["law"]
    assert "15 ақпанды қоса алғанда" in by_key["figures_current"]
    assert by_key["figures_first_year"].count("бастап") == 1
    assert "::" not in letter and "бойынша:" not in letter and letter.count("Анықтама") == 1
    assert "Шымкент қаласында – 23, Астана қаласында – 16" in by_key["reference_115-1"]
    assert "Қызылорда және Павлодар облыстарында – 7" in by_key["reference_115-1"]
    assert "Сталкингке (" in by_key["intro"] and "Сталкингке және" not in by_key["intro"]


def test_corrected_russian_phrases(seed):
    by_key, _order = texts(Inquiry.objects.get(number="ДС-16"), "ru")
    letter = "\n".join(by_key.values())
    assert "Справка. По статье 115-1 УК (сталкинг): город Шымкент – 23" in letter
    assert letter.count("Справка") == 1 and "::" not in letter and "Справка:" not in letter
    assert "Уголовный кодекс Республики Казахстан (далее – УК)" in by_key["law"]
    assert "по 15 февраля 2026 года включительно" in by_key["figures_current"]
    assert "введённых" in by_key["intro"] and "введенных" not in letter
    assert "правила регистрации, рассмотрения заявлений и сообщений, а также" in letter


def test_measures_in_russian_follow_the_rules_wording(demo):
    by_key, _order = texts(Inquiry.objects.get(number="ДС-16"), "ru")
    assert (
        "по правилам регистрации, рассмотрения заявлений и сообщений, а также порядку "
        "досудебного расследования" in by_key["measures_training"]
    )
    assert "учтён" in by_key["measures_training"] and "утверждён" in by_key["measures_media"]


def numbers(text):
    return services._numbers(text)


def same_numbers(time_machine):
    """Compose ДС-16 in both languages at one instant; check every block's numbers."""
    time_machine.move_to(dt.datetime(2026, 6, 30, 12, 0, tzinfo=ALMATY), tick=False)
    inquiry = Inquiry.objects.get(number="ДС-16")
    kk, kk_order = texts(inquiry, "kk")
    ru, ru_order = texts(inquiry, "ru")
    assert kk_order == ru_order  # the same sections in the same order
    checked = 0
    for key in kk_order:
        assert numbers(kk[key]) == numbers(ru[key]), (key, kk[key], ru[key])
        checked += sum(numbers(kk[key]).values())
    assert checked > 0
    return kk


def test_kazakh_and_russian_carry_the_same_numbers_block_by_block(seed, time_machine):
    kk = same_numbers(time_machine)
    assert Counter({79: 1, 31: 1}) <= numbers(kk["figures_current"])


def test_with_the_demo_data_too_the_numbers_agree_block_by_block(demo, time_machine):
    kk = same_numbers(time_machine)
    assert numbers(kk["measures_media"]) and numbers(kk["measures_training"])


def test_the_number_check_would_catch_a_different_figure():
    assert numbers("бойынша 79 қылмыстық іс") != numbers("79 уголовных дел и 31")
    assert numbers("2025 жылғы 16 шілдедегі № 210-VIII") == numbers(
        "от 16 июля 2025 года № 210-VIII"
    )


def second_inquiry(**extra):
    extra.setdefault(
        "questions",
        "Сколько уголовных дел о сталкинге зарегистрировано по регионам?\n"
        "Как обеспечен надзор за их расследованием?",
    )
    inquiry = Inquiry.objects.create(
        number="ДС-21", dated=dt.date(2026, 2, 1),
        addressee_kk="Мәжіліс депутаты\nА. Әлиеваға", addressee_ru="Депутату Мажилиса\nА. Алиевой",
        subject_kk="сталкинг бойынша тіркелген қылмыстық істердің саны және олардың тергелуін бақылау",
        subject_ru="количества зарегистрированных уголовных дел о сталкинге и контроля за их расследованием",
        **extra,
    )  # fmt: skip
    inquiry.articles.set([Article.objects.get(code="115-1")])
    return inquiry


def test_another_inquiry_with_other_questions_gets_a_different_sensible_draft(seed):
    ds16 = Inquiry.objects.get(number="ДС-16")
    other = second_inquiry()
    assert sections.inquiry_topics(other) == {"figures", "oversight"}
    assert sections.inquiry_topics(ds16) >= {"application", "informing"}
    for lang in ("kk", "ru"):
        _by_key, order = texts(other, lang)
        body = [k for k in order if k in sections.BY_KEY or k.startswith("reference_")]
        # What it asks: the law, the figures by region, oversight; not the media campaign.
        assert body == ["law", "figures_first_year", "figures_current", "reference_115-1",
                        "oversight"]  # fmt: skip
        assert not {"measures_media", "media_aims", "training", "assessment"} & set(order)
        assert order != texts(ds16, lang)[1]
    kk, _ = texts(other, "kk")
    # One article: the singular, and no "as a result of the measures" without the measures.
    assert "115-1-баппен («Сталкинг»)" in kk["law"] and "125-1" not in "".join(kk.values())
    assert kk["figures_current"].startswith("Ағымдағы жылдың басынан бастап")
    assert kk["inquiry_ref"] == "2026 жылғы 1 ақпандағы № ДС-21 сауалға"
    assert kk["addressee"] == "Мәжіліс депутаты\nА. Әлиеваға"
    ru, _ = texts(other, "ru")
    assert ru["figures_current"].startswith("С начала текущего года")
    assert ru["inquiry_ref"] == "на запрос № ДС-21 от 1 февраля 2026 года"


def test_an_inquiry_about_informing_the_public_gets_the_campaign_sections(seed):
    inquiry = second_inquiry(questions="")
    inquiry.subject_ru = "информирования населения о новых нормах"
    inquiry.subject_kk = "халықты жаңа нормалар туралы хабардар ету"
    _by_key, order = texts(inquiry, "ru")
    assert {"media_aims", "media_participants", "measures_local", "assessment"} <= set(order)
    assert "reference_115-1" not in order


def test_unrecognised_questions_give_every_section(seed):
    inquiry = second_inquiry()
    inquiry.subject_kk = inquiry.subject_ru = inquiry.questions = "—"
    assert all(c["on"] for c in sections.default_choice(inquiry))


def test_signature_executor_outgoing_and_addressee_blocks_are_the_inquirys_data(seed):
    inquiry = Inquiry.objects.get(number="ДС-16")
    kk, _ = texts(inquiry, "kk")
    assert kk["signature"] == "Қазақстан Республикасының Премьер-Министрі\nО. Бектенов"
    assert kk["executor"] == "Орынд.: _____\nТел.: _____"  # to fill in: the seed names none
    assert kk["outgoing"] == "№ _____"
    assert kk["addressee"].startswith("Қазақстан Республикасы\nПарламенті Мәжілісінің")
    inquiry = services.update_inquiry(
        SYSTEM, inquiry, executor="А. Сапарова", executor_phone="8 (7172) 74-50-12",
        outgoing_number="12-3/456", outgoing_dated=dt.date(2026, 2, 20),
        signatory_position_ru="Заместитель Премьер-Министра Республики Казахстан",
    )  # fmt: skip
    kk, _ = texts(inquiry, "kk")
    ru, _ = texts(inquiry, "ru")
    assert kk["executor"] == "Орынд.: А. Сапарова\nТел.: 8 (7172) 74-50-12"
    assert ru["executor"] == "Исп.: А. Сапарова\nТел.: 8 (7172) 74-50-12"
    assert kk["outgoing"] == ru["outgoing"] == "20.02.2026 № 12-3/456"
    assert ru["signature"] == "Заместитель Премьер-Министра Республики Казахстан\nО. Бектенов"
    # A position left empty falls back to the Prime Minister's.
    inquiry = services.update_inquiry(SYSTEM, inquiry, signatory_position_ru="")
    assert texts(inquiry, "ru")[0]["signature"].startswith("Премьер-Министр Республики Казахстан")


def test_drafter_switches_sections_off_and_reorders_them_in_both_languages(seed):
    inquiry = Inquiry.objects.get(number="ДС-16")
    for lang in ("kk", "ru"):
        services.regenerate_reply(SYSTEM, inquiry, lang)
    rows = [(c["key"], c["key"] != "training_rules", i + 10)
            for i, c in enumerate(sections.choice(inquiry))]  # fmt: skip
    rows = [(k, on, 1 if k == "oversight" else n) for k, on, n in rows]
    services.choose_sections(SYSTEM, inquiry, rows)
    for lang in ("kk", "ru"):
        keys = [b["key"] for b in ReplyDraft.objects.get(inquiry=inquiry, lang=lang).blocks]
        assert "training_rules" not in keys
        assert keys[keys.index("intro") + 1] == "oversight"  # first of the body
    entry = AuditEntry.objects.get(action="reply.sections", object_id=str(inquiry.pk))
    assert {"key": "training_rules", "on": False} in entry.after["sections"]
    assert {"key": "training_rules", "on": True} in entry.before["sections"]
    assert AuditEntry.objects.filter(action="reply.regenerate").count() == 4


def test_an_unknown_section_is_refused_and_nothing_is_written(seed):
    inquiry = Inquiry.objects.get(number="ДС-16")
    with pytest.raises(Invalid):
        services.choose_sections(SYSTEM, inquiry, [("poetry", True, 1)])
    assert Inquiry.objects.get(pk=inquiry.pk).sections == []
    assert not AuditEntry.objects.filter(action="reply.sections").exists()


def test_a_regional_user_cannot_choose_sections(seed):
    user = make_user("analyst_kz79", "analyst", "KZ-79")
    inquiry = Inquiry.objects.get(number="ДС-16")
    with pytest.raises(policy.NotAllowed):
        services.choose_sections(Actor.person(user), inquiry, [("law", True, 1)])
    assert not AuditEntry.objects.filter(action="reply.sections").exists()


def test_an_edited_standard_text_outlives_a_new_draft_and_a_switch_off(seed):
    inquiry = Inquiry.objects.get(number="ДС-16")
    draft = services.regenerate_reply(SYSTEM, inquiry, "kk")
    mine = "Сонымен қатар талдау түсіндіру жұмысының жеткіліксіздігін көрсетті."
    services.edit_reply(SYSTEM, draft, {"assessment": mine, "law": "Заң туралы өзгертілген мәтін."})
    draft = services.regenerate_reply(SYSTEM, inquiry, "kk")
    by_key = {b["key"]: b["text"] for b in draft.blocks}
    assert by_key["assessment"] == mine
    assert by_key["law"].startswith("«")  # a data block is drafted again from the data
    off = [(c["key"], c["key"] != "assessment", i) for i, c in enumerate(sections.choice(inquiry))]
    services.choose_sections(SYSTEM, inquiry, off)
    assert "assessment" not in [b["key"] for b in ReplyDraft.objects.get(pk=draft.pk).blocks]
    services.choose_sections(SYSTEM, inquiry, [(k, True, i) for k, _on, i in off])
    by_key = {b["key"]: b["text"] for b in ReplyDraft.objects.get(pk=draft.pk).blocks}
    assert by_key["assessment"] == mine


def test_the_draft_page_offers_the_sections_and_saves_them(client, seed):
    user = make_user("analyst_sections", "analyst")
    client.force_login(user)
    inquiry = Inquiry.objects.get(number="ДС-16")
    services.regenerate_reply(SYSTEM, inquiry, "ru")
    page = client.get(f"/letters/{inquiry.pk}/draft/ru/")
    assert page.status_code == 200 and 'name="section-oversight-order"' in page.content.decode()
    detail = client.get(f"/letters/{inquiry.pk}/").content.decode()
    assert "Енгізілген қылмыстық заңнама нормалары туралы халықты хабардар ету" in detail
    data = {"choose-sections": "1"}
    for i, choice in enumerate(sections.choice(inquiry), start=1):
        data[f"section-{choice['key']}-order"] = str(i)
        if choice["key"] not in ("media_aims", "media_participants"):
            data[f"section-{choice['key']}-on"] = "on"
    response = client.post(f"/letters/{inquiry.pk}/draft/ru/", data)
    assert response.status_code == 302
    keys = [b["key"] for b in ReplyDraft.objects.get(inquiry=inquiry, lang="ru").blocks]
    assert "media_aims" not in keys and "measures_local" in keys
    data["section-law-order"] = "zero"
    assert client.post(f"/letters/{inquiry.pk}/draft/ru/", data).status_code == 400


def test_the_figures_line_names_a_release_within_the_figures_period(seed):
    from qorgau.stats import releases

    inquiry = Inquiry.objects.get(number="ДС-16")
    assert "выпуск" not in texts(inquiry, "ru")[0]["figures_as_of"]
    release = releases.publish(
        SYSTEM, releases.parse_period("2026-01"),
        now=dt.datetime(2026, 6, 10, 9, 0, tzinfo=ALMATY),
    )  # fmt: skip
    ru = texts(inquiry, "ru")[0]["figures_as_of"]
    kk = texts(inquiry, "kk")[0]["figures_as_of"]
    assert (
        f"выпуске официальной статистики № {release.number}" in ru and "01.01.2026–31.01.2026" in ru
    )
    assert f"№ {release.number} шығарылымы" in kk
    # A release beyond the figures' period (they end on 15 February) is not named.
    assert "выпуск" not in texts(inquiry, "ru", period_end=dt.date(2026, 1, 20))[0]["figures_as_of"]
