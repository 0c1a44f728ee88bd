"""The sections of a reply to an inquiry: each answers a part of it, in the order of the
Government's letter to ДС-16 (shared/seed), and is filled from the data where data exists
(``data``) and from an editable standard text where it does not (``standard``: the template
``letters/reply/<key>.<lang>.txt`` by default, the drafter's own text once edited).

Which sections a reply has: the drafter's choice kept on the inquiry (``Inquiry.sections``,
the draft page's checkboxes and order numbers), or else those whose topics the inquiry's subject
and questions name (:data:`TOPIC_WORDS`), all of them when no topic is recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Topics an inquiry asks about, by the words (stems, lower case; Kazakh, Russian, English) that
# name them in its subject or questions.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "figures": ("статист", "сколько", "количеств", "число ", "зарегистр", "динамик", "қанша",
                "саны", "тіркел", "how many", "number of", "statistic", "registered"),
    # Investigation alone is oversight's topic ("надзор за расследованием"), not this one.
    "application": ("примен", "практик", "криминализ", "қылмыстық сипат", "қолдан",
                    "іс жүзінде", "criminalis", "criminaliz", "apply", "application"),
    # "халық" (the public) but not "халықаралық" (international); " public" not "republic".
    "informing": ("информир", "разъясн", "осведомл", "населени", "сми", "медиа", "хабардар",
                  "түсіндір", "халықт", "халыққ", "халық ", "ақпарат", "inform", " public",
                  "awareness", "media"),
    # The staff ("личный состав"), not "различных" or "личность".
    "training": ("обучен", "подготовк", "сотрудник", "личный состав", "личного состав",
                 "личным состав", "личному состав", "личном состав", "оқыт", "даярла",
                 "қызметкер", "жеке құрам", "training", "staff"),
    "oversight": ("надзор", "контрол", "бақыла", "қадағала", "oversight", "supervis", "control"),
}  # fmt: skip


@dataclass(frozen=True)
class Section:
    """A part of the reply. ``topics`` empty: always chosen by default. ``data``: drafted from
    the data (a standard text stands in when there is none, if ``standard``); ``standard``
    alone: an editable standard text."""

    key: str
    title: str | Promise
    topics: frozenset[str]
    data: bool = False
    standard: bool = True


def _section(key: str, title: Any, topics: str, *, data: bool = False, standard: bool = True):
    return Section(key, title, frozenset(topics.split()), data, standard)


# In the order of the source letter's paragraphs.
SECTIONS: tuple[Section, ...] = (
    _section("law", _("The law and its publication"), "", data=True, standard=False),
    _section("assessment", _("Assessment: explanation of the new norms was insufficient"),
             "application informing"),
    _section("figures_first_year", _("Figures: from entry into force to the end of that year"),
             "figures application", data=True, standard=False),
    _section("measures", _("Measures taken by the state bodies"), "application informing"),
    _section("training", _("Staff training"), "application training"),
    _section("training_rules", _("Staff training: rules and procedure explained"),
             "application training"),
    _section("measures_training", _("Staff training: sessions held (data)"),
             "application training", data=True, standard=False),
    _section("figures_current", _("Figures: the current year"), "figures application",
             data=True, standard=False),
    _section("reference", _("Reference paragraphs: by region"), "figures application",
             data=True, standard=False),
    _section("measures_media", _("Measures: the media plan"), "informing", data=True),
    _section("media_aims", _("The media plan: its aims and the campaign's goal"), "informing"),
    _section("media_participants", _("The media plan: its participants"), "informing"),
    _section("measures_local", _("Measures: akimats' plans"), "informing", data=True),
    _section("oversight", _("Oversight of registration and investigation"),
             "application figures oversight"),
)  # fmt: skip
BY_KEY = {s.key: s for s in SECTIONS}


def topics_of(text: str) -> set[str]:
    """The topics ``text`` (an inquiry's subject and questions) names."""
    lowered = " " + " ".join(text.lower().split()) + " "
    return {topic for topic, words in TOPIC_WORDS.items() if any(w in lowered for w in words)}


def inquiry_topics(inquiry: Any) -> set[str]:
    """The topics of an inquiry's subject (both languages) and questions."""
    return topics_of("\n".join([inquiry.subject_kk, inquiry.subject_ru, inquiry.questions]))


def default_choice(inquiry: Any) -> list[dict[str, Any]]:
    """[{"key", "on"}] in the source letter's order: the sections answering the topics the
    inquiry names (every section when it names none that is known)."""
    topics = inquiry_topics(inquiry)
    return [
        {"key": s.key, "on": not topics or not s.topics or bool(s.topics & topics)}
        for s in SECTIONS
    ]


def choice(inquiry: Any) -> list[dict[str, Any]]:
    """The inquiry's sections as chosen (the drafter's order and switches; a section the
    choice does not name yet keeps its default switch, after the named ones in its default
    order) or by default."""
    if not inquiry.sections:
        return default_choice(inquiry)
    chosen = [dict(c) for c in inquiry.sections if c.get("key") in BY_KEY]
    named = {c["key"] for c in chosen}
    return chosen + [c for c in default_choice(inquiry) if c["key"] not in named]


def chosen_keys(inquiry: Any) -> list[str]:
    """The keys of the sections switched on, in their order."""
    return [c["key"] for c in choice(inquiry) if c["on"]]


def normalise(rows: list[tuple[str, bool, int]]) -> list[dict[str, Any]]:
    """A choice from the form's rows (key, on, order number): ordered by the numbers, ties in
    the default order; unknown keys refused (``KeyError``)."""
    position = {s.key: i for i, s in enumerate(SECTIONS)}
    for key, _on, _order in rows:
        if key not in BY_KEY:
            raise KeyError(key)
    ordered = sorted(rows, key=lambda row: (row[2], position[row[0]]))
    return [{"key": key, "on": bool(on)} for key, on, _order in ordered]
