"""Drafting the reply to an inquiry from the data: blocks the user edits, then a DOCX, PDF or
HTML document kept as a version with every figure and the query behind it.

All numbers come from the statistics service at the moment of generation; nothing is typed in.
"""

import datetime as dt
import re
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import record, snapshot
from qorgau.reference.models import Article
from qorgau.registry import lifecycle
from qorgau.stats import services as stats

from . import grammar
from .models import Inquiry, InquiryStatus, ReplyDraft, ReplyVersion

ADDRESS = "010000, Астана қаласы, Үкімет үйі\n010000, город Астана, Дом Правительства"
LANGS = ("kk", "ru")


class LetterError(ValueError):
    """A reply that cannot be drafted; the message is translated."""


class InquiryError(LetterError):
    """An inquiry that cannot be registered, changed or moved to a status; nothing was changed.
    The message is translated; ``field`` names the input it is about, when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def default_period_end(user, inquiry: Inquiry) -> dt.date:
    """The latest registration date of a case under the inquiry's articles (today if none)."""
    latest = stats.cases(
        user, stats.Filters(tuple(a.code for a in inquiry.articles.all()))
    ).aggregate(latest=Max("registered_at"))["latest"]
    return timezone.localtime(latest).date() if latest else timezone.localdate()


class _Figures:
    """Collects every number put into the letter with the query that produced it."""

    def __init__(self, user):
        self.user, self.items, self.at = user, [], timezone.now().isoformat(timespec="seconds")

    def count(self, block: str, label: str, filters: stats.Filters) -> int:
        value = stats.cases(self.user, filters).count()
        self.items.append(
            {
                "block": block,
                "label": label,
                "value": value,
                "query": filters.describe(),
                "generated_at": self.at,
            }
        )
        return value

    def regions(self, block: str, article: str, filters: stats.Filters) -> dict:
        rows = stats.by_region(self.user, filters)
        for row in rows:
            if row.count:
                self.items.append({"block": block, "label": f"{article} {row.region.code}", "value": row.count,
                                   "query": {**filters.describe(), "regions": [row.region.code]}, "generated_at": self.at})  # fmt: skip
        return {row.region: row.count for row in rows}


def _article_kk(article: Article) -> str:
    return f"ҚК-нің {article.code}-бабы ({article.short_kk})"


def _article_ru(article: Article) -> str:
    return f"статье {article.code} УК ({article.short_ru})"


def reference_paragraph(
    user, article: Article, date_from: dt.date, date_to: dt.date, lang: str
) -> str:
    """The reference paragraph (Анықтама / Справка) of one article: regions with their counts,
    highest first, equal counts grouped, with the total. It reveals every region's count, so
    it is for those who may draft replies (``letters.draft``, a national scope); audited as
    ``letters.reference`` with the article and the period."""
    policy.ensure(user, "letters.draft")
    text = _reference_paragraph(user, article, date_from, date_to, lang, _Figures(user))
    record(
        "letters.reference",
        article,
        details={"lang": lang, "from": date_from.isoformat(), "to": date_to.isoformat()},
        user=user,
    )
    return text


def _reference_paragraph(
    user, article: Article, date_from: dt.date, date_to: dt.date, lang: str, figures: "_Figures"
) -> str:
    if date_from > date_to:
        raise LetterError(_("The period ends before it begins."))
    counts = figures.regions(
        f"reference_{article.code}",
        article.code,
        stats.Filters((article.code,), date_from, date_to),
    )
    total = grammar.number(sum(counts.values()))
    listing = grammar.reference_list(counts, lang)
    if lang == "kk":
        return f"Анықтама: {_article_kk(article)} бойынша: {listing or '—'} (барлығы – {total})."
    return f"Справка: по {_article_ru(article)}: {listing or '—'} (всего – {total})."


def compose(
    user, inquiry: Inquiry, lang: str, period_end: dt.date | None = None
) -> tuple[list[dict], list[dict], dt.date]:
    """The reply's blocks in ``lang`` and the figures behind them (writes nothing: the callers
    that keep or show them, :func:`regenerate`, write the audit entry)."""
    policy.ensure(user, "letters.draft")
    if lang not in LANGS:
        raise LetterError(_("A reply is written in Kazakh or Russian."))
    articles = list(inquiry.articles.select_related("law").order_by("code"))
    if not articles:
        raise LetterError(_("The inquiry names no article."))
    period_end = period_end or default_period_end(user, inquiry)
    figures = _Figures(user)
    law = articles[0].law
    in_force = min(a.in_force_on for a in articles)
    first_year_end = dt.date(in_force.year, 12, 31)
    year_start = dt.date(period_end.year, 1, 1)
    if year_start <= in_force or period_end <= first_year_end:
        raise LetterError(_("The current year must begin after the year the law came into force."))
    first = {
        a.code: figures.count(
            "figures_first_year",
            f"{a.code} {in_force.year}",
            stats.Filters((a.code,), in_force, first_year_end),
        )
        for a in articles
    }
    current = {
        a.code: figures.count(
            "figures_current",
            f"{a.code} {period_end.year}",
            stats.Filters((a.code,), year_start, period_end),
        )
        for a in articles
    }
    kk = lang == "kk"
    blocks = [
        {"key": "address", "text": ADDRESS},
        {"key": "outgoing", "text": f"№ {inquiry.outgoing_number or '_____'}"},
        {"key": "addressee", "text": inquiry.addressee_kk if kk else inquiry.addressee_ru},
        {"key": "inquiry_ref", "text": f"{grammar.kk_date(inquiry.dated)} № {inquiry.number} сауалға" if kk
            else f"на запрос № {inquiry.number} от {grammar.ru_date(inquiry.dated)}"},
        {"key": "salutation", "text": inquiry.salutation_kk if kk else inquiry.salutation_ru},
        {"key": "intro", "text": f"{inquiry.subject_kk} мәселелері бойынша сауалды қарап, мынаны хабарлаймын." if kk
            else f"Рассмотрев запрос по вопросам {inquiry.subject_ru}, сообщаю следующее."},
    ]  # fmt: skip
    if kk:
        one = len(articles) == 1
        # "supplemented with article(s) …" (instrumental: баппен / баптарымен), then "these
        # norms entered into force": the verb енгізілді is not repeated.
        if one:
            new = f"{articles[0].code}-баппен ({articles[0].short_kk})"
        else:
            new = grammar.join([f"{a.code} ({a.short_kk})" for a in articles], "kk") + " баптарымен"
        law_text = (
            f"«{law.title_kk}» Қазақстан Республикасының {grammar.kk_date(law.signed_on)} № {law.number} Заңымен "
            f"(бұдан әрі – Заң) Қылмыстық кодекс (бұдан әрі – ҚК) {new} "
            f"толықтырылды. {'Бұл норма' if one else 'Бұл нормалар'} {grammar.kk_date(law.in_force_on, 'from')} бастап "
            "күшіне енді және бұқаралық ақпарат құралдарында, мемлекеттік органдардың ресми ақпараттық "
            "ресурстарында жарияланды."
        )
        first_text = (
            f"Заң күшіне енген күннен бастап ({grammar.kk_date(in_force, 'from')} бастап) {in_force.year} жылдың "
            f"соңына дейін {grammar.join([f'{_article_kk(a)} бойынша {grammar.number(first[a.code])} қылмыстық іс' for a in articles], 'kk')} тіркелді."
        )
        current_text = (
            f"Ағымдағы жылдың басынан бастап ({grammar.kk_date(period_end, 'until')} дейін) "
            f"{grammar.join([f'{_article_kk(a)} бойынша {grammar.number(current[a.code])} қылмыстық іс' for a in articles], 'kk')} тіркелді."
        )
        signature = inquiry.signatory
    else:
        new = grammar.join([f"{a.code} («{a.title_ru}»)" for a in articles], "ru")
        if len(articles) == 1:
            added, which = f"статьёй {new}, которая введена", "опубликована"
        else:
            added, which = f"статьями {new}, которые введены", "опубликованы"
        law_text = (
            f"Законом Республики Казахстан от {grammar.ru_date(law.signed_on)} № {law.number} «{law.title_ru}» "
            f"(далее – Закон) Уголовный кодекс (далее – УК) дополнен {added} в действие "
            f"с {grammar.ru_date(law.in_force_on)} и {which} в средствах массовой информации и на официальных "
            "информационных ресурсах государственных органов."
        )
        first_text = (
            f"С момента вступления Закона в силу (с {grammar.ru_date(in_force)}) до конца {in_force.year} года "
            f"зарегистрировано {grammar.join([f'{grammar.ru_cases(first[a.code])} по {_article_ru(a)}' for a in articles], 'ru')}."
        )
        current_text = (
            f"С начала текущего года (по {grammar.ru_date(period_end)}) зарегистрировано "
            f"{grammar.join([f'{grammar.ru_cases(current[a.code])} по {_article_ru(a)}' for a in articles], 'ru')}."
        )
        signature = inquiry.signatory
    blocks += [
        {"key": "law", "text": law_text},
        {"key": "figures_first_year", "text": first_text},
        {"key": "figures_current", "text": current_text},
    ]
    for article in articles:
        blocks.append(
            {
                "key": f"reference_{article.code}",
                "text": _reference_paragraph(user, article, year_start, period_end, lang, figures),
            }
        )
    # Campaign and training paragraphs: from their data when present, else left to the user.
    blocks += [
        {"key": "measures_media", "text": _media_paragraph(lang, period_end, figures)},
        {"key": "measures_local", "text": _local_paragraph(lang, period_end, figures)},
        {
            "key": "measures_training",
            "text": _training_paragraph(lang, year_start, period_end, figures),
        },
        {"key": "signature", "text": signature},
    ]
    return blocks, figures.items, period_end


def _record(figures, block, label, value, query):
    figures.items.append(
        {"block": block, "label": label, "value": value, "query": query, "generated_at": figures.at}
    )


def _media_paragraph(lang: str, day: dt.date, figures) -> str:
    """The national media plan and its execution on ``day``, if such a plan is recorded."""
    from qorgau.campaigns.models import Plan, PlanKind
    from qorgau.campaigns.services import progress

    plan = (
        Plan.objects.filter(kind=PlanKind.NATIONAL, approved_on__lte=day)
        .order_by("-approved_on")
        .first()
    )
    if plan is None:
        return ""
    state = progress(plan.activities.select_related("responsible").prefetch_related("regions"), day)
    counts, reach = state["status_counts"], state["totals"]["achieved_reach"]
    total = sum(counts.values())
    query = {"plan": plan.pk, "on": day.isoformat()}
    for label, value in (
        ("activities", total),
        ("done", counts["done"]),
        ("overdue", counts["overdue"]),
        ("reach", reach),
    ):
        _record(figures, "measures_media", label, value, query)
    n = grammar.number
    if lang == "kk":
        # The plan is the object of "бекітті": accusative ("…медиажоспарын бекітті").
        return (
            f"{grammar.kk_date(plan.approved_on, 'on')} {plan.lead.name_kk} "
            f"{grammar.kk_accusative(grammar.lower_first(plan.title_kk))} бекітті. "
            f"Жоспарда {n(total)} іс-шара көзделген, оның ішінде {grammar.kk_date(day, 'until')} дейін орындалғаны – "
            f"{n(counts['done'])}, мерзімі өткені – {n(counts['overdue'])}; қамту – {n(reach)} адам."
        )
    title = grammar.lower_first(plan.title_ru)
    agent = grammar.ru_instrumental(plan.lead.name_ru)
    approved = (
        f"{agent} {grammar.ru_approved(title)} {title}"
        if agent
        else f"{grammar.ru_approved(title)} {title} (разработчик – {plan.lead.name_ru})"
    )
    return (
        f"{grammar.ru_date(plan.approved_on)} {approved}. "
        f"Из {n(total)} {grammar.ru_plural(total, 'мероприятия', 'мероприятий', 'мероприятий')} по состоянию на "
        f"{grammar.ru_date(day)} выполнено – {n(counts['done'])}, просрочено – {n(counts['overdue'])}; "
        f"охват – {grammar.ru_people(reach)}."
    )


def _local_paragraph(lang: str, day: dt.date, figures) -> str:
    """The akimats' plans approved by ``day``."""
    from qorgau.campaigns.models import Plan, PlanKind

    plans = list(
        Plan.objects.filter(kind=PlanKind.AKIMAT, approved_on__lte=day)
        .select_related("region")
        .order_by("region__order")
    )
    if not plans:
        return ""
    _record(
        figures,
        "measures_local",
        "akimat plans",
        len(plans),
        {"kind": "akimat", "on": day.isoformat()},
    )
    regions = [p.region for p in plans if p.region_id]
    if lang == "kk":
        return f"Жергілікті атқарушы органдар {day.year} жылға арналған іс-шаралар жоспарларын бекітті ({grammar.region_group(regions, 'kk')}; барлығы – {len(plans)})."
    return f"Местными исполнительными органами утверждены планы мероприятий на {day.year} год ({grammar.region_group(regions, 'ru')}; всего – {len(plans)})."


def _training_paragraph(lang: str, start: dt.date, end: dt.date, figures) -> str:
    """Training sessions held in the period and their participants."""
    from qorgau.training.models import Session

    sessions = list(Session.objects.filter(held_on__range=(start, end)))
    if not sessions:
        return ""
    people = sum(s.total for s in sessions)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    _record(figures, "measures_training", "sessions", len(sessions), query)
    _record(figures, "measures_training", "participants", people, query)
    if lang == "kk":
        return (
            "Құқық қорғау органдарында тіркеу тәртібі, өтініштер мен хабарламаларды қарау және сотқа дейінгі "
            f"тергеп-тексеру жүргізу тәртібі бойынша оқу іс-шаралары өткізілді: {grammar.number(len(sessions))} іс-шара, "
            f"қатысушылар – {grammar.number(people)}."
        )
    return (
        "В правоохранительных органах проведены обучающие мероприятия по правилам регистрации, рассмотрению заявлений "
        f"и сообщений и порядку досудебного расследования: {grammar.number(len(sessions))} "
        f"{grammar.ru_plural(len(sessions), 'мероприятие', 'мероприятия', 'мероприятий')}, "
        f"участников – {grammar.number(people)}."
    )


def regenerate(user, inquiry: Inquiry, lang: str, period_end: dt.date | None = None) -> ReplyDraft:
    """(Re)build the draft of ``lang`` from the data, replacing its blocks; a received inquiry
    moves to "drafting" (through :func:`set_status`). Audited as ``letters.generate``.
    Refused (``policy.NotAllowed``, nothing written) unless ``user`` may draft replies."""
    policy.ensure(user, "letters.draft")
    asked_end = period_end
    blocks, figures, period_end = compose(user, inquiry, lang, period_end)
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        draft, _created = ReplyDraft.objects.update_or_create(
            inquiry=inquiry, lang=lang,
            # "generated" keeps the text as drafted from the data, to tell edited figures.
            defaults={"blocks": [{**b, "generated": b["text"]} for b in blocks],
                      "figures": figures, "period_end": period_end,
                      "updated_by": user if getattr(user, "pk", None) else None},
        )  # fmt: skip
        record(
            "letters.generate",
            locked,
            details={"lang": lang, "period_end": str(asked_end or "")},
            user=user,
        )
        if locked.status == InquiryStatus.RECEIVED:
            set_status(user, inquiry, InquiryStatus.DRAFTING)
    return draft


def save_blocks(user, draft: ReplyDraft, texts: dict[str, str]) -> ReplyDraft:
    """Store the user's edits of the blocks (keys not in the draft are ignored), on the draft
    locked and read again, so that two officials saving at once do not lose each other's
    edits of other blocks. Audited as ``letters.blocks.save`` with the names of the blocks
    that changed (not their text); nothing is written when none did. ``draft`` is updated in
    place. Refused (``policy.NotAllowed``, nothing written) unless ``user`` may draft replies."""
    policy.ensure(user, "letters.draft")
    with transaction.atomic():
        locked = ReplyDraft.objects.select_for_update().get(pk=draft.pk)
        changed = []
        for block in locked.blocks:
            if block["key"] in texts:
                text = texts[block["key"]].replace("\r\n", "\n").strip()
                if text != block["text"]:
                    block["text"] = text
                    changed.append(block["key"])
        if changed:
            locked.updated_by = user if getattr(user, "pk", None) else None
            locked.save(update_fields=["blocks", "updated_by", "updated_at"])
            record(
                "letters.blocks.save",
                locked.inquiry,
                details={"lang": locked.lang, "blocks": changed},
                user=user,
            )
    draft.blocks, draft.updated_by_id, draft.updated_at = (
        locked.blocks,
        locked.updated_by_id,
        locked.updated_at,
    )
    return locked


# A figure in a block: a whole number, thousands possibly grouped by spaces ("2 302 493"), not
# part of an article or document number ("115-1", "210-VIII", "ДС-16").
_NUMBER = re.compile(r"(?<![\w-])\d{1,3}(?:[ \u00a0]\d{3})+(?![\w-])|(?<![\w-])\d+(?![\w-])")


def _numbers(text: str) -> Counter:
    return Counter(int(re.sub(r"\D", "", m)) for m in _NUMBER.findall(text))


def figure_mismatches(draft: ReplyDraft) -> list[str]:
    """Keys of the blocks holding recorded figures whose numbers the user changed: the numbers
    in the text differ from those of the text drafted from the data (or, for a draft without
    that text, a recorded figure is missing from it)."""
    recorded: dict[str, list[int]] = {}
    for figure in draft.figures:
        recorded.setdefault(figure["block"], []).append(figure["value"])
    edited = []
    for block in draft.blocks:
        if block["key"] not in recorded:
            continue
        numbers = _numbers(block["text"])
        if "generated" in block:
            changed = numbers != _numbers(block["generated"])
        else:
            changed = not Counter(recorded[block["key"]]) <= numbers
        if changed:
            edited.append(block["key"])
    return edited


def produce(user, draft: ReplyDraft, fmt: str) -> ReplyVersion:
    """Render the draft as ``fmt`` (docx, pdf, html) and keep it as the next version, audited as
    ``letters.produce`` with the blocks whose figures were edited (``figures_edited``). Edited
    figures do not stop it (the official may correct the data's wording); the caller warns
    with ``figure_mismatches``. Refused (``policy.NotAllowed``, nothing written) unless
    ``user`` may draft replies."""
    from . import render

    policy.ensure(user, "letters.draft")
    renderers = {"docx": render.to_docx, "pdf": render.to_pdf, "html": render.to_html_bytes}
    if fmt not in renderers:
        raise LetterError(_("Unknown format “%(fmt)s”.") % {"fmt": fmt})
    # Rendered outside the transaction (a PDF takes a while; on SQLite a write transaction
    # holds the whole database), from the draft as stored now; kept only if it is still so.
    draft = ReplyDraft.objects.select_related("inquiry").get(pk=draft.pk)
    content = renderers[fmt](draft)
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=draft.inquiry_id)
        locked = ReplyDraft.objects.select_for_update().get(pk=draft.pk)
        if (locked.blocks, locked.figures) != (draft.blocks, draft.figures):
            raise LetterError(
                _("The draft was changed while the document was being produced; produce it again.")
            )
        number = (inquiry.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReplyVersion.objects.create(
            inquiry=inquiry, number=number, lang=draft.lang, format=fmt, content=content,
            blocks=draft.blocks, figures=draft.figures, created_by=user if getattr(user, "pk", None) else None,
        )  # fmt: skip
        record(
            "letters.produce",
            inquiry,
            details={
                "version": number,
                "lang": draft.lang,
                "format": fmt,
                "figures_edited": figure_mismatches(draft),
            },
            user=user,
        )
    return version


def version_for_download(user, inquiry_id: int, number: int) -> ReplyVersion | None:
    """Version ``number`` of the reply to an inquiry, for download (None when there is no such
    version); audited as ``letters.download``. Refused (``policy.NotAllowed``) unless ``user``
    may draft replies."""
    policy.ensure(user, "letters.draft")
    version = (
        ReplyVersion.objects.filter(inquiry_id=inquiry_id, number=number)
        .select_related("inquiry")
        .first()
    )
    if version is not None:
        record("letters.download", version.inquiry, details={"version": number}, user=user)
    return version


def seed_inquiry() -> Inquiry:
    """Inquiry ДС-16 of 2026-01-23, which the source letter answers (demonstration data)."""
    inquiry, _created = Inquiry.objects.update_or_create(
        number="ДС-16",
        defaults={
            "dated": dt.date(2026, 1, 23),
            "addressee_kk": "Қазақстан Республикасы\nПарламенті Мәжілісінің\nдепутаттарына",
            "addressee_ru": "Депутатам Мажилиса\nПарламента\nРеспублики Казахстан",
            "subject_kk": "Сталкингке қылмыстық сипат беру, некеге тұруға мәжбүрлеу, сондай-ақ енгізілген қылмыстық заңнама нормалары туралы халықты хабардар ету",
            "subject_ru": "криминализации сталкинга, принуждения к вступлению в брак, а также информирования населения о введённых нормах уголовного законодательства",
            "signatory": "О. Бектенов",
            "is_demo": True,
        },
    )
    inquiry.articles.set(Article.objects.filter(code__in=["115-1", "125-1"]))
    return inquiry


def may_draft(user) -> bool:
    return policy.can(user, "letters.draft")


# --- Inquiries: registering them, correcting them and moving them through their statuses ---

# An inquiry's number: letters first, then groups of letters or digits joined by hyphens
# ("ДС-16"); no spaces and no "№" (the letters add it).
INQUIRY_NUMBER_RE = re.compile(r"^[^\W\d_]+(?:-[^\W_]+)+$")
INQUIRY_FIELDS = (
    "number", "dated", "addressee_kk", "addressee_ru", "salutation_kk", "salutation_ru",
    "subject_kk", "subject_ru", "due_on", "outgoing_number", "signatory",
)  # fmt: skip
_REQUIRED_TEXT = ("addressee_kk", "addressee_ru", "subject_kk", "subject_ru")


def allowed_next_statuses(status: str) -> list[str]:
    """The statuses an inquiry in ``status`` may move to (registry/lifecycle.py decides)."""
    return lifecycle.allowed_next_inquiry(status)


def may_edit(inquiry: Inquiry) -> bool:
    """Whether the inquiry's details may still be corrected: not once its reply was sent."""
    return inquiry.status != InquiryStatus.SENT


def _inquiry_snapshot(inquiry: Inquiry) -> dict:
    return {**snapshot(inquiry), "articles": sorted(a.code for a in inquiry.articles.all())}


def _clean_inquiry(data: dict, current: Inquiry | None) -> tuple[dict, list[Article]]:
    """Check the values of an inquiry (``data`` over those of ``current``); raise InquiryError
    naming the field. Returns the field values and the articles."""
    unknown = set(data) - set(INQUIRY_FIELDS) - {"articles"}
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    values = {f: getattr(current, f) for f in INQUIRY_FIELDS} if current else {}
    values.update({k: v for k, v in data.items() if k != "articles"})
    for field in INQUIRY_FIELDS:
        if isinstance(values.get(field), str):
            values[field] = values[field].replace("\r\n", "\n").strip()
    number = (values.get("number") or "").upper()
    values["number"] = number
    if not number:
        raise InquiryError(_("Enter the number of the inquiry."), "number")
    max_length = Inquiry._meta.get_field("number").max_length
    if len(number) > max_length or not INQUIRY_NUMBER_RE.match(number):
        raise InquiryError(
            _(
                "An inquiry number has letters, digits and hyphens and begins with letters, "
                "e.g. ДС-16 (got “%(number)s”)."
            )
            % {"number": number},
            "number",
        )
    dated = values.get("dated")
    if not isinstance(dated, dt.date):
        raise InquiryError(_("Enter the date of the inquiry."), "dated")
    if dated > timezone.localdate():
        raise InquiryError(_("An inquiry cannot be dated in the future."), "dated")
    due_on = values.get("due_on")
    if due_on is not None and due_on < dated:
        raise InquiryError(_("The reply cannot be due before the date of the inquiry."), "due_on")
    if current is not None and current.sent_on and current.sent_on < dated:
        raise InquiryError(
            _("The reply was sent on %(date)s; the inquiry cannot be dated later.")
            % {"date": current.sent_on.isoformat()},
            "dated",
        )
    for field in _REQUIRED_TEXT:
        if not values.get(field):
            message = (
                _("Enter the addressee in Kazakh and in Russian.")
                if field.startswith("addressee")
                else _("Enter the subject in Kazakh and in Russian.")
            )
            raise InquiryError(message, field)
    for field in ("salutation_kk", "salutation_ru"):
        if not values.get(field):
            values[field] = Inquiry._meta.get_field(field).get_default()
    for field in ("outgoing_number", "signatory"):
        values[field] = values.get(field) or ""
    if "articles" in data:
        articles = list(data["articles"] or [])
    else:
        articles = list(current.articles.all()) if current else []
    if not articles:
        raise InquiryError(_("Name at least one article the inquiry concerns."), "articles")
    return values, articles


def _duplicate(number: str) -> InquiryError:
    return InquiryError(
        _("Inquiry № %(number)s is already registered.") % {"number": number}, "number"
    )


def register_inquiry(user, **data) -> Inquiry:
    """Register a deputy's inquiry (status "received"): number (unique, e.g. ДС-16), date,
    addressee and subject in both languages, the articles concerned, the reply's due date.
    Refused with InquiryError, writing nothing, when a value is wrong."""
    policy.ensure(user, "letters.draft")
    values, articles = _clean_inquiry(data, None)
    try:
        with transaction.atomic():
            if Inquiry.objects.filter(number=values["number"]).exists():
                raise _duplicate(values["number"])
            inquiry = Inquiry.objects.create(**values, status=InquiryStatus.RECEIVED)
            inquiry.articles.set(articles)
            record("letters.inquiry.create", inquiry, after=_inquiry_snapshot(inquiry), user=user)
    except IntegrityError:
        # Registered by someone else between the check and the insert (PostgreSQL).
        if Inquiry.objects.filter(number=values["number"]).exists():
            raise _duplicate(values["number"]) from None
        raise
    return inquiry


def update_inquiry(user, inquiry: Inquiry, **data) -> Inquiry:
    """Correct an inquiry's details (the fields given; the others are kept). An inquiry whose
    reply was sent is kept as it was answered."""
    policy.ensure(user, "letters.draft")
    try:
        with transaction.atomic():
            locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
            if not may_edit(locked):
                raise InquiryError(
                    _("The reply to inquiry № %(number)s was sent; it can no longer be changed.")
                    % {"number": locked.number}
                )
            values, articles = _clean_inquiry(data, locked)
            if Inquiry.objects.filter(number=values["number"]).exclude(pk=locked.pk).exists():
                raise _duplicate(values["number"])
            before = _inquiry_snapshot(locked)
            for field, value in values.items():
                setattr(locked, field, value)
            locked.save()
            locked.articles.set(articles)
            record(
                "letters.inquiry.update",
                locked,
                before=before,
                after=_inquiry_snapshot(locked),
                user=user,
            )
    except IntegrityError:
        number = str(data.get("number", "")).strip().upper()
        if number and Inquiry.objects.filter(number=number).exclude(pk=inquiry.pk).exists():
            raise _duplicate(number) from None
        raise
    return locked


def set_status(user, inquiry: Inquiry, status: str, *, sent_on: dt.date | None = None) -> Inquiry:
    """Move an inquiry to the next status (received → drafting → sent). "Sent" needs at least
    one produced reply version and records the day the reply was sent (``sent_on``, today by
    default; not before the inquiry, not in the future). ``inquiry`` is updated in place."""
    policy.ensure(user, "letters.draft")
    labels = dict(InquiryStatus.choices)
    if status not in labels:
        raise InquiryError(_("Unknown status “%(status)s”.") % {"status": status}, "status")
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if not lifecycle.inquiry_may_become(locked.status, status):
            raise InquiryError(
                _("Inquiry № %(number)s is “%(from)s”; it cannot become “%(to)s”.")
                % {"number": locked.number, "from": labels[locked.status], "to": labels[status]},
                "status",
            )
        before = {"status": locked.status, "sent_on": _iso(locked.sent_on)}
        if status == InquiryStatus.SENT:
            if not locked.versions.exists():
                raise InquiryError(
                    _(
                        "No reply to inquiry № %(number)s has been produced yet: produce a "
                        "version before marking it as sent."
                    )
                    % {"number": locked.number},
                    "status",
                )
            sent_on = sent_on or timezone.localdate()
            if sent_on > timezone.localdate():
                raise InquiryError(_("A reply cannot be marked as sent in advance."), "sent_on")
            if sent_on < locked.dated:
                raise InquiryError(
                    _("The reply cannot be sent before the date of the inquiry (%(date)s).")
                    % {"date": locked.dated.isoformat()},
                    "sent_on",
                )
            locked.sent_on = sent_on
        locked.status = status
        locked.save(update_fields=["status", "sent_on"])
        record(
            "letters.inquiry.status",
            locked,
            before=before,
            after={"status": locked.status, "sent_on": _iso(locked.sent_on)},
            user=user,
        )
    inquiry.status, inquiry.sent_on = locked.status, locked.sent_on
    return locked


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
