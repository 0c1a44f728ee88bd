"""Replies to deputies' inquiries: registering an inquiry and moving it through its statuses,
drafting the reply from the data as blocks the user edits, then producing a DOCX, PDF or HTML
document kept as a version with every figure and the query behind it.

Every action is ``verb(actor, target, …)``: it asks the policy (``letters.draft``, a national
scope: a reply to Parliament carries every region's figures), locks, changes, writes one audit
entry (``letters.actions``) and returns, or raises a ``core.errors`` error with a translated
message and changes nothing. The reply's wording is in the templates
``letters/reply/<block>.<lang>.txt``; its numbers come from the statistics, campaign and
training data at the moment of generation, never typed in.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.access import policy
from qorgau.audit.log import snapshot, with_reason, write
from qorgau.campaigns.models import Activity, ActivityStatus, PlanKind
from qorgau.campaigns.services import plans_for_statistics, progress
from qorgau.core.actors import Actor
from qorgau.core.errors import Conflict, Invalid
from qorgau.reference.models import Article, Region
from qorgau.stats import releases
from qorgau.stats import services as stats
from qorgau.training.models import Session
from qorgau.training.services import sessions_in

from . import actions, lifecycle, render, sections
from .forms import InquiryValues
from .models import Inquiry, InquiryStatus, ReplyDraft, ReplyVersion

ADDRESS = "010000, Астана қаласы, Үкімет үйі\n010000, город Астана, Дом Правительства"
LANGS = ("kk", "ru")
RIGHT = "letters.draft"

Block = dict[str, Any]
Figure = dict[str, Any]


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise Invalid("lang", _("A reply is written in Kazakh or Russian."))


def _person(actor: Actor) -> Any:
    """The user to name as the author of a row (None for the system)."""
    return actor.user if getattr(actor.user, "pk", None) else None


def default_period_end(actor: Actor, inquiry: Inquiry) -> dt.date:
    """The latest registration date of a case under the inquiry's articles (today if none)."""
    codes = tuple(a.code for a in inquiry.articles.all())
    latest = stats.cases(actor, stats.Filters(codes)).aggregate(latest=Max("registered_at"))
    day: dt.datetime | None = latest["latest"]
    return timezone.localtime(day).date() if day else timezone.localdate()


class _Figures:
    """Collects every number put into the letter with the query that produced it."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.items: list[Figure] = []
        # The as-of instant, taken before the first figure is read: letters.asof recomputes
        # every figure as known then ("as_of", to the microsecond; "generated_at" for people).
        self.moment = timezone.now()
        self.at = timezone.localtime(self.moment).isoformat(timespec="seconds")  # +05:00

    def add(self, block: str, label: str, value: int, query: dict[str, Any]) -> int:
        self.items.append(
            {"block": block, "label": label, "value": value, "query": query,
             "generated_at": self.at, "as_of": self.moment.isoformat()}
        )  # fmt: skip
        return value

    def count(self, block: str, label: str, filters: stats.Filters) -> int:
        value = stats.cases(self.actor, filters).count()
        return self.add(block, label, value, filters.describe())

    def regions(self, block: str, article: str, filters: stats.Filters) -> dict[Region, int]:
        rows = stats.by_region(self.actor, filters)
        for row in rows:
            if row.count:
                query = {**filters.describe(), "regions": [row.region.code]}
                self.add(block, f"{article} {row.region.code}", row.count, query)
        return {row.region: row.count for row in rows}


def _text(block: str, lang: str, **context: Any) -> str:
    """Block ``block`` of the reply in ``lang``, from ``letters/reply/<block>.<lang>.txt``."""
    return render_to_string(f"letters/reply/{block}.{lang}.txt", context).strip()


# --- The reply, drafted from the data ---


def reference_paragraph(
    actor: Actor, article: Article, date_from: dt.date, date_to: dt.date, lang: str
) -> str:
    """The reference paragraph (Анықтама / Справка) of one article: regions with their counts,
    highest first, equal counts grouped, with the total. It reveals every region's count, so
    it is for those who may draft replies; audited as ``reply.reference`` with the article and
    the period."""
    policy.ensure(actor, RIGHT)
    _check_lang(lang)
    text = _reference_paragraph(article, date_from, date_to, lang, _Figures(actor))
    details = {"lang": lang, "from": date_from.isoformat(), "to": date_to.isoformat()}
    write(actor, actions.REPLY_REFERENCE, article, details=details)
    return text


def _reference_paragraph(
    article: Article,
    date_from: dt.date,
    date_to: dt.date,
    lang: str,
    figures: _Figures,
    *,
    first: bool = True,
) -> str:
    """The paragraph of one article; the ``first`` of the reference opens with "Анықтама:" /
    "Справка." (said once, as the source letter does)."""
    if date_from > date_to:
        raise Invalid("date_to", _("The period ends before it begins."))
    filters = stats.Filters((article.code,), date_from, date_to)
    counts = figures.regions(f"reference_{article.code}", article.code, filters)
    return _text("reference", lang, article=article, counts=counts, total=sum(counts.values()),
                 first=first)  # fmt: skip


def compose(
    actor: Actor,
    inquiry: Inquiry,
    lang: str,
    *,
    period_end: dt.date | None = None,
    standard_texts: dict[str, str] | None = None,
) -> tuple[list[Block], list[Figure], dt.date]:
    """The reply's blocks in ``lang``, the figures behind them and the day the current year is
    counted up to (``period_end``; by default the latest registration). The body is made of
    the inquiry's sections (:mod:`.sections`) in their order, each from the data or from its
    standard text (``standard_texts``: the drafter's wording, by section key). Writes nothing:
    the callers that keep or show them (:func:`regenerate_reply`) write the audit entry."""
    policy.ensure(actor, RIGHT)
    _check_lang(lang)
    articles = list(inquiry.articles.select_related("law").order_by("code"))
    if not articles:
        raise Invalid("articles", _("The inquiry names no article."))
    period_end = period_end or default_period_end(actor, inquiry)
    in_force = min(a.in_force_on for a in articles)
    year_start = dt.date(period_end.year, 1, 1)
    if year_start <= in_force or period_end <= dt.date(in_force.year, 12, 31):
        raise Invalid(
            "period_end", _("The current year must begin after the year the law came into force.")
        )
    figures = _Figures(actor)
    keys = sections.chosen_keys(inquiry)
    part = _Part(actor, inquiry, lang, articles, period_end, figures, keys, standard_texts or {})
    blocks = _heading(inquiry, lang)
    for key in keys:
        blocks += part.blocks(key)
    blocks += [
        {"key": "figures_as_of", "text": _as_of_line(lang, figures.moment, year_start, period_end)},
        {"key": "signature", "text": _signature(inquiry, lang)},
        {"key": "executor", "text": _executor(inquiry, lang)},
    ]
    return blocks, figures.items, period_end


class _Part:
    """Builds the blocks of one section of the reply (``blocks(key)``)."""

    def __init__(
        self,
        actor: Actor,
        inquiry: Inquiry,
        lang: str,
        articles: list[Article],
        period_end: dt.date,
        figures: _Figures,
        keys: list[str],
        standard_texts: dict[str, str],
    ) -> None:
        self.actor, self.inquiry, self.lang, self.articles = actor, inquiry, lang, articles
        self.period_end, self.figures, self.keys = period_end, figures, keys
        self.standard_texts = standard_texts
        self.in_force = min(a.in_force_on for a in articles)
        self.year_start = dt.date(period_end.year, 1, 1)

    def blocks(self, key: str) -> list[Block]:
        section = sections.BY_KEY[key]
        if key == "reference":
            return [
                {"key": f"reference_{a.code}", "section": key,
                 "text": _reference_paragraph(a, self.year_start, self.period_end, self.lang,
                                              self.figures, first=i == 0)}
                for i, a in enumerate(self.articles)
            ]  # fmt: skip
        text = getattr(self, key)() if section.data else ""
        if text or not section.standard:
            return [{"key": key, "section": key, "text": text}]
        # No data: the drafter's wording of the section, else its standard text.
        standard = self.standard_texts.get(key)
        if standard is None:
            standard = _text(f"{key}_standard" if section.data else key, self.lang,
                             inquiry=self.inquiry, year=self.period_end.year)  # fmt: skip
        return [{"key": key, "section": key, "text": standard, "standard": True}]

    def law(self) -> str:
        one = len(self.articles) == 1
        return _text("law", self.lang, law=self.articles[0].law, articles=self.articles, one=one)

    def figures_first_year(self) -> str:
        period = (self.in_force, dt.date(self.in_force.year, 12, 31))
        counts = [
            (a, self.figures.count("figures_first_year", f"{a.code} {self.in_force.year}",
                                   stats.Filters((a.code,), *period)))
            for a in self.articles
        ]  # fmt: skip
        return _text("figures_first_year", self.lang, in_force=self.in_force, counts=counts)

    def figures_current(self) -> str:
        period = (self.year_start, self.period_end)
        counts = [
            (a, self.figures.count("figures_current", f"{a.code} {self.period_end.year}",
                                   stats.Filters((a.code,), *period)))
            for a in self.articles
        ]  # fmt: skip
        # "As a result of the measures taken" only where the measures were told before.
        after_measures = "measures" in self.keys[: self.keys.index("figures_current")]
        return _text("figures_current", self.lang, period_end=self.period_end, counts=counts,
                     after_measures=after_measures)  # fmt: skip

    def measures_media(self) -> str:
        return _media_paragraph(self.actor, self.lang, self.period_end, self.figures)

    def measures_local(self) -> str:
        return _local_paragraph(self.actor, self.lang, self.period_end, self.figures)

    def measures_training(self) -> str:
        return _training_paragraph(
            self.actor, self.lang, self.year_start, self.period_end, self.figures
        )


def _as_of_line(lang: str, moment: dt.datetime, start: dt.date, end: dt.date) -> str:
    """The line naming the instant the figures were read, in Kazakhstan's time, and the
    latest statistics release whose reference period lies within the current-year figures'
    period (``start``–``end``), if there is one."""
    release = releases.latest()
    if release is not None and not (start <= release.period_start and release.period_end <= end):
        release = None
    return _text("figures_as_of", lang, moment=f"{timezone.localtime(moment):%d.%m.%Y %H:%M}",
                 release=release)  # fmt: skip


def _signature(inquiry: Inquiry, lang: str) -> str:
    """Two lines: the signatory's position, then the name (a blank to fill in where the
    inquiry names none: the layout puts the last line in the name's narrow column, which a
    position alone would take)."""
    position = str(getattr(inquiry, f"signatory_position_{lang}"))
    name = inquiry.signatory.strip() or PLACEHOLDER
    return "\n".join(line for line in (position, name) if line.strip())


PLACEHOLDER = "_____"


def _executor(inquiry: Inquiry, lang: str) -> str:
    """Two lines: the executor's name and phone ("Орынд.:" / "Исп.:", "Тел.:"); blanks to
    fill in where the inquiry names none."""
    return _text("executor", lang, name=inquiry.executor or PLACEHOLDER,
                 phone=inquiry.executor_phone or PLACEHOLDER, br="\n")  # fmt: skip


def figures_as_of(figures: list[Figure]) -> dt.datetime | None:
    """The instant ``figures`` were read (None for figures kept before it was recorded)."""
    moments = {f["as_of"] for f in figures if f.get("as_of")}
    return dt.datetime.fromisoformat(min(moments)) if moments else None


def _heading(inquiry: Inquiry, lang: str) -> list[Block]:
    """Address, outgoing number, addressee, the reference to the inquiry, salutation, intro."""
    return [
        {"key": "address", "text": ADDRESS},
        {"key": "outgoing", "text": _text("outgoing", lang, inquiry=inquiry,
                                          number=inquiry.outgoing_number or PLACEHOLDER)},
        {"key": "addressee", "text": str(getattr(inquiry, f"addressee_{lang}"))},
        {"key": "inquiry_ref", "text": _text("inquiry_ref", lang, inquiry=inquiry)},
        {"key": "salutation", "text": str(getattr(inquiry, f"salutation_{lang}"))},
        {"key": "intro", "text": _text("intro", lang, inquiry=inquiry)},
    ]  # fmt: skip


def _media_paragraph(actor: Actor, lang: str, day: dt.date, figures: _Figures) -> str:
    """The national media plan and its execution on ``day``, if such a plan is recorded."""
    plan = (
        plans_for_statistics(actor, approved_by=day)
        .filter(kind=PlanKind.NATIONAL)
        .select_related("lead")
        .order_by("-approved_on")
        .first()
    )
    if plan is None:
        return ""
    values = media_figures(
        plan.activities.select_related("responsible").prefetch_related("regions"), day
    )
    query = {"plan": plan.pk, "on": day.isoformat()}
    for label, value in values.items():
        figures.add("measures_media", label, value, query)
    return _text("measures_media", lang, plan=plan, day=day, total=values["activities"],
                 done=values["done"], overdue=values["overdue"], reach=values["reach"])  # fmt: skip


def media_figures(activities: Iterable[Activity], day: dt.date) -> dict[str, int]:
    """The media paragraph's figures (label → value) from a plan's activities on ``day``; also
    what ``letters.asof`` recomputes them with, from the activities as known then.

    The figures are those of ``day``: an activity completed after it (its ``completed_on``)
    was not done then — it counts as unfinished (overdue if due before ``day``) and its
    achieved reach is left out, so a reply for a past period does not report later work."""
    state = progress([_as_on(activity, day) for activity in activities], day)
    counts = state["status_counts"]
    return {"activities": sum(counts.values()), "done": counts["done"],
            "overdue": counts["overdue"], "reach": state["totals"]["achieved_reach"]}  # fmt: skip


def _as_on(activity: Activity, day: dt.date) -> Activity:
    """``activity`` as it stood on ``day``: a copy not yet done, with nothing achieved, when it
    was completed after ``day``; else itself."""
    if not (
        activity.stored_status == ActivityStatus.DONE
        and activity.completed_on is not None
        and activity.completed_on > day
    ):
        return activity
    then = copy.copy(activity)  # shares the prefetched regions and the responsible body
    then.stored_status = ActivityStatus.IN_PROGRESS
    for field in ("achieved_count", "achieved_reach", "achieved_participants"):
        setattr(then, field, 0)
    return then


def _local_paragraph(actor: Actor, lang: str, day: dt.date, figures: _Figures) -> str:
    """The akimats' plans approved by ``day``."""
    plans = list(
        plans_for_statistics(actor, approved_by=day)
        .filter(kind=PlanKind.AKIMAT)
        .select_related("region")
        .order_by("region__order")
    )
    if not plans:
        return ""
    query = {"kind": PlanKind.AKIMAT.value, "on": day.isoformat()}
    figures.add("measures_local", "akimat plans", len(plans), query)
    regions = [p.region for p in plans if p.region_id]
    return _text("measures_local", lang, day=day, regions=regions, count=len(plans))


def _training_paragraph(
    actor: Actor, lang: str, start: dt.date, end: dt.date, figures: _Figures
) -> str:
    """Training sessions held in the period and their participants."""
    sessions = list(sessions_in(actor, start, end))
    if not sessions:
        return ""
    values = training_figures(sessions)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    for label, value in values.items():
        figures.add("measures_training", label, value, query)
    return _text("measures_training", lang, sessions=values["sessions"],
                 people=values["participants"])  # fmt: skip


def training_figures(sessions: list[Session]) -> dict[str, int]:
    """The training paragraph's figures (label → value) from the sessions of the period; also
    what ``letters.asof`` recomputes them with, from the sessions as known then."""
    return {"sessions": len(sessions), "participants": sum(s.total for s in sessions)}


def regenerate_reply(
    actor: Actor,
    inquiry: Inquiry,
    lang: str,
    *,
    period_end: dt.date | None = None,
    reason: str | None = None,
) -> ReplyDraft:
    """(Re)build the draft of ``lang`` from the data, replacing its blocks (the drafter's
    wording of standard-text sections is kept), audited as ``reply.regenerate``; a received
    inquiry moves to "drafting" (through :func:`change_inquiry_status`, with its own entry)."""
    policy.ensure(actor, RIGHT)
    existing = ReplyDraft.objects.filter(inquiry=inquiry, lang=lang).first()
    texts = dict(existing.standard_texts) if existing else {}
    blocks, figures, end = compose(
        actor, inquiry, lang, period_end=period_end, standard_texts=texts
    )
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        draft, _created = ReplyDraft.objects.update_or_create(
            inquiry=locked, lang=lang,
            # "generated" keeps the text as drafted from the data, to tell edited figures.
            defaults={"blocks": [{**b, "generated": b["text"]} for b in blocks],
                      "figures": figures, "figures_as_of": figures_as_of(figures),
                      "period_end": end, "updated_by": _person(actor)},
        )  # fmt: skip
        details = {"lang": lang, "period_end": str(period_end or "")}
        write(actor, actions.REPLY_REGENERATE, locked, details=with_reason(details, reason))
        if locked.status == InquiryStatus.RECEIVED:
            change_inquiry_status(actor, inquiry, InquiryStatus.DRAFTING)
    return draft


def choose_sections(
    actor: Actor,
    inquiry: Inquiry,
    rows: list[tuple[str, bool, int]],
    *,
    reason: str | None = None,
) -> Inquiry:
    """Keep the drafter's choice of the reply's sections (rows of key, switched on, order
    number; :func:`.sections.normalise`) on the inquiry, audited as ``reply.sections`` with
    the choice before and after, then draft its existing drafts again from the data with
    their own period (each with its entry), so that both languages follow it. Refused for an
    unknown section or once the reply was sent."""
    policy.ensure(actor, RIGHT)
    try:
        choice = sections.normalise(rows)
    except KeyError as exc:
        raise Invalid("sections", _("Unknown section “%(key)s”.") % {"key": exc.args[0]}) from None
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if not lifecycle.may_edit(locked.status):
            raise Conflict(
                _("The reply to inquiry № %(number)s was sent; it can no longer be changed.")
                % {"number": locked.number}
            )
        before = sections.choice(locked)
        locked.sections = choice
        locked.save(update_fields=["sections"])
        write(actor, actions.REPLY_SECTIONS, locked, before={"sections": before},
              after={"sections": choice}, details=with_reason(None, reason))  # fmt: skip
    inquiry.sections = choice
    for draft in ReplyDraft.objects.filter(inquiry=locked).order_by("lang"):
        regenerate_reply(actor, locked, draft.lang, period_end=draft.period_end, reason=reason)
    return locked


def edit_reply(
    actor: Actor, draft: ReplyDraft, texts: dict[str, str], *, reason: str | None = None
) -> ReplyDraft:
    """Store the user's edits of the blocks (keys not in the draft are ignored), on the draft
    locked and read again, so that two officials saving at once do not lose each other's
    edits of other blocks. Audited as ``reply.edit`` with the names of the blocks that changed
    (not their text); nothing is written when none did. ``draft`` is updated in place."""
    policy.ensure(actor, RIGHT)
    with transaction.atomic():
        locked = ReplyDraft.objects.select_for_update().select_related("inquiry").get(pk=draft.pk)
        changed = []
        for block in locked.blocks:
            if block["key"] in texts:
                text = texts[block["key"]].replace("\r\n", "\n").strip()
                if text != block["text"]:
                    block["text"] = text
                    changed.append(block["key"])
                    if block.get("standard"):
                        # The drafter's wording of a standard section outlives a new draft.
                        locked.standard_texts[block["key"]] = text
        if changed:
            locked.updated_by = _person(actor)
            locked.save(update_fields=["blocks", "standard_texts", "updated_by", "updated_at"])
            details = {"lang": locked.lang, "blocks": changed}
            write(actor, actions.REPLY_EDIT, locked.inquiry, details=with_reason(details, reason))
    draft.blocks, draft.standard_texts, draft.updated_by_id, draft.updated_at = (
        locked.blocks, locked.standard_texts, locked.updated_by_id, locked.updated_at,
    )  # fmt: skip
    return locked


# A figure in a block: a whole number, thousands possibly grouped by spaces ("2 302 493"), not
# part of an article or document number ("115-1", "210-VIII", "ДС-16").
_NUMBER = re.compile(r"(?<![\w-])\d{1,3}(?:[ \u00a0]\d{3})+(?![\w-])|(?<![\w-])\d+(?![\w-])")


def _numbers(text: str) -> Counter[int]:
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


RENDERERS: dict[str, Callable[[ReplyDraft], bytes]] = {
    "docx": render.to_docx, "pdf": render.to_pdf, "html": render.to_html_bytes,
}  # fmt: skip


def produce_reply(
    actor: Actor, draft: ReplyDraft, fmt: str, *, reason: str | None = None
) -> ReplyVersion:
    """Render the draft as ``fmt`` (docx, pdf, html) and keep it as the next version, audited as
    ``reply.produce`` with the blocks whose figures were edited (``figures_edited``). Edited
    figures do not stop it (the official may correct the data's wording); the caller warns
    with :func:`figure_mismatches`."""
    policy.ensure(actor, RIGHT)
    if fmt not in RENDERERS:
        raise Invalid("format", _("Unknown format “%(fmt)s”.") % {"fmt": fmt})
    # Rendered outside the transaction (a PDF takes a while; on SQLite a write transaction
    # holds the whole database), from the draft as stored now; kept only if it is still so.
    draft = ReplyDraft.objects.select_related("inquiry").get(pk=draft.pk)
    content = RENDERERS[fmt](draft)
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=draft.inquiry_id)
        locked = ReplyDraft.objects.select_for_update().get(pk=draft.pk)
        if (locked.blocks, locked.figures) != (draft.blocks, draft.figures):
            raise Conflict(
                _("The draft was changed while the document was being produced; produce it again.")
            )
        number = (inquiry.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReplyVersion.objects.create(
            inquiry=inquiry, number=number, lang=draft.lang, format=fmt, content=content,
            blocks=draft.blocks, figures=draft.figures, figures_as_of=draft.figures_as_of,
            created_by=_person(actor),
        )  # fmt: skip
        details = {"version": number, "lang": draft.lang, "format": fmt,
                   "figures_edited": figure_mismatches(draft)}  # fmt: skip
        write(actor, actions.REPLY_PRODUCE, inquiry, details=with_reason(details, reason))
    return version


def version_for_download(actor: Actor, inquiry_id: int, number: int) -> ReplyVersion | None:
    """Version ``number`` of the reply to an inquiry, for download (None when there is no such
    version); audited as ``reply.download``."""
    policy.ensure(actor, RIGHT)
    version = (
        ReplyVersion.objects.filter(inquiry_id=inquiry_id, number=number)
        .select_related("inquiry")
        .first()
    )
    if version is not None:
        write(actor, actions.REPLY_DOWNLOAD, version.inquiry, details={"version": number})
    return version


# --- Inquiries: registering them, correcting them and moving them through their statuses ---

INQUIRY_FIELDS = (
    "number", "dated", "addressee_kk", "addressee_ru", "salutation_kk", "salutation_ru",
    "subject_kk", "subject_ru", "questions", "due_on", "outgoing_number", "outgoing_dated",
    "signatory", "signatory_position_kk", "signatory_position_ru", "executor", "executor_phone",
)  # fmt: skip


def _inquiry_snapshot(inquiry: Inquiry) -> dict[str, Any]:
    return {**snapshot(inquiry), "articles": sorted(a.code for a in inquiry.articles.all())}


def _clean_inquiry(
    data: dict[str, Any], current: Inquiry | None
) -> tuple[dict[str, Any], list[Article]]:
    """The values of an inquiry (``data`` over those of ``current``) checked by
    :class:`~.forms.InquiryValues`: its first error is raised as :class:`Invalid` naming the
    field. Returns the field values and the articles."""
    unknown = set(data) - set(INQUIRY_FIELDS) - {"articles"}
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    values = {f: getattr(current, f) for f in INQUIRY_FIELDS} if current else {}
    values.update(data)
    if "articles" not in data:
        values["articles"] = list(current.articles.all()) if current else []
    values["articles"] = [a.pk for a in values["articles"] or []]
    form = InquiryValues(values, current=current)
    if not form.is_valid():
        field, errors = next(iter(form.errors.as_data().items()))
        raise Invalid(None if field == NON_FIELD_ERRORS else field, errors[0].messages[0])
    cleaned = dict(form.cleaned_data)
    articles = list(cleaned.pop("articles"))
    return cleaned, articles


def _duplicate(number: str) -> Conflict:
    return Conflict(
        _("Inquiry № %(number)s is already registered.") % {"number": number}, field="number"
    )


def register_inquiry(actor: Actor, *, reason: str | None = None, **data: Any) -> Inquiry:
    """Register a deputy's inquiry (status "received"): number (unique, e.g. ДС-16), date,
    addressee and subject in both languages, the articles concerned, the reply's due date.
    Audited as ``inquiry.register`` with the values kept."""
    policy.ensure(actor, RIGHT)
    values, articles = _clean_inquiry(data, None)
    try:
        with transaction.atomic():
            if Inquiry.objects.filter(number=values["number"]).exists():
                raise _duplicate(values["number"])
            inquiry = Inquiry.objects.create(**values, status=InquiryStatus.RECEIVED)
            inquiry.articles.set(articles)
            write(actor, actions.INQUIRY_REGISTER, inquiry, after=_inquiry_snapshot(inquiry),
                  details=with_reason(None, reason))  # fmt: skip
    except IntegrityError:
        # Registered by someone else between the check and the insert (PostgreSQL).
        if Inquiry.objects.filter(number=values["number"]).exists():
            raise _duplicate(values["number"]) from None
        raise
    return inquiry


def update_inquiry(
    actor: Actor, inquiry: Inquiry, *, reason: str | None = None, **data: Any
) -> Inquiry:
    """Correct an inquiry's details (the fields given; the others are kept), audited as
    ``inquiry.update`` with before and after. An inquiry whose reply was sent is kept as it
    was answered."""
    policy.ensure(actor, RIGHT)
    try:
        with transaction.atomic():
            locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
            if not lifecycle.may_edit(locked.status):
                raise Conflict(
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
            after = _inquiry_snapshot(locked)
            write(actor, actions.INQUIRY_UPDATE, locked, before=before, after=after,
                  details=with_reason(None, reason))  # fmt: skip
    except IntegrityError:
        number = str(data.get("number", "")).strip().upper()
        if number and Inquiry.objects.filter(number=number).exclude(pk=inquiry.pk).exists():
            raise _duplicate(number) from None
        raise
    return locked


def change_inquiry_status(
    actor: Actor,
    inquiry: Inquiry,
    status: str,
    *,
    sent_on: dt.date | None = None,
    reason: str | None = None,
) -> Inquiry:
    """Move an inquiry to its next status (received → drafting → sent; the rules are in
    :mod:`.lifecycle`), audited as ``inquiry.status.change`` with the status and the day the
    reply was sent before and after. "Sent" records ``sent_on`` (today by default).
    ``inquiry`` is updated in place."""
    policy.ensure(actor, RIGHT)
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if status == InquiryStatus.SENT:
            sent_on = sent_on or timezone.localdate()
        target = lifecycle.check(locked, status, sent_on=sent_on)
        before = {"status": locked.status, "sent_on": _iso(locked.sent_on)}
        if target == InquiryStatus.SENT:
            locked.sent_on = sent_on
        locked.status = target
        locked.save(update_fields=["status", "sent_on"])
        after = {"status": locked.status, "sent_on": _iso(locked.sent_on)}
        write(actor, actions.INQUIRY_STATUS_CHANGE, locked, before=before, after=after,
              details=with_reason(None, reason))  # fmt: skip
    inquiry.status, inquiry.sent_on = locked.status, locked.sent_on
    return locked


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
