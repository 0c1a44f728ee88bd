"""The grammar of letters (``qorgau.letters.grammar``) as template filters, and the
``{% paragraph %}`` tag the reply's templates are written in (``letters/reply/*.txt``).

    {% load grammar %}{% paragraph %}
    По статье {{ article.code }} УК ({{ article.short_ru }}):
    {{ counts|reference_list:"ru"|default:"—" }} (всего – {{ total|number }}).
    {% endparagraph %}
"""

import datetime as dt
import re

from django import template
from django.template.base import Node, NodeList, Parser, TextNode, Token

from qorgau.letters import grammar

register = template.Library()

# A line break in a template's own text, with the indentation around it.
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


class ParagraphNode(Node):
    """Plain text: nothing is HTML-escaped (the blocks are text, escaped where they are shown)
    nor localized (numbers and dates are written by the grammar's filters); the template's
    own line breaks read as spaces, so that a long sentence is written on several lines, while
    values put in keep theirs (an addressee's lines)."""

    def __init__(self, nodelist: NodeList):
        self.nodelist = nodelist
        for node in nodelist.get_nodes_by_type(TextNode):
            if isinstance(node, TextNode):
                node.s = _LINE_BREAK.sub(" ", node.s)

    def render(self, context: template.Context) -> str:
        saved = context.autoescape, context.use_l10n
        context.autoescape, context.use_l10n = False, False
        try:
            return self.nodelist.render(context).strip()
        finally:
            context.autoescape, context.use_l10n = saved


@register.tag
def paragraph(parser: Parser, token: Token) -> ParagraphNode:
    nodelist = parser.parse(("endparagraph",))
    parser.delete_first_token()
    return ParagraphNode(nodelist)


@register.filter
def number(n: int) -> str:
    """2302493 → '2 302 493' (non-breaking spaces)."""
    return grammar.number(n)


@register.filter
def kk_date(day: dt.date, form: str = "of") -> str:
    """{{ day|kk_date:"from" }} → '2025 жылғы 16 қыркүйектен'."""
    return grammar.kk_date(day, form)


@register.filter
def ru_date(day: dt.date) -> str:
    """{{ day|ru_date }} → '16 сентября 2025 года'."""
    return grammar.ru_date(day)


@register.filter
def kk_case(phrase: str, case: str) -> str:
    """{{ title|kk_case:"accusative" }}: a Kazakh case suffix by vowel harmony."""
    return grammar.kk_case(phrase, case)


@register.filter
def ru_count(n: int, phrase: str) -> str:
    """{{ 79|ru_count:"уголовное дело" }} → '79 уголовных дел'."""
    return grammar.ru_count(n, phrase)


@register.filter
def ru_count_genitive(n: int, phrase: str) -> str:
    """{{ 5|ru_count_genitive:"мероприятие" }} → '5 мероприятий' (after "из")."""
    return grammar.ru_count(n, phrase, "gent")


@register.filter
def ru_instrumental(name: str) -> str:
    """The instrumental of a body's name; empty when the dictionary cannot tell it."""
    return grammar.ru_instrumental(name) or ""


@register.filter
def ru_approved(phrase: str) -> str:
    """'утверждён', 'утверждена', 'утверждено' or 'утверждены', agreeing with ``phrase``."""
    return grammar.ru_approved(phrase)


@register.filter
def ru_developed_and_approved(phrase: str) -> str:
    """'разработан и утверждён', agreeing with ``phrase``."""
    return grammar.ru_developed_and_approved(phrase)


@register.filter
def lower_first(phrase: str) -> str:
    return grammar.lower_first(phrase)


@register.filter
def region_group(regions: list, lang: str) -> str:
    """Regions named together with their shared noun: 'Түркістан облысы және Шымкент қаласы'."""
    return grammar.region_group(regions, lang)


@register.filter
def reference_list(counts: dict, lang: str) -> str:
    """Regions with their counts, highest first: 'Шымкент қаласы – 23, …'."""
    return grammar.reference_list(counts, lang)


@register.filter
def reference_list_locative(counts: dict, lang: str) -> str:
    """Regions with their counts, in the locative in Kazakh (where the cases were registered):
    'Шымкент қаласында – 23, …, Қызылорда және Павлодар облыстарында – 7'."""
    return grammar.reference_list(counts, lang, "locative" if lang == "kk" else None)


@register.filter
def separator(forloop: dict, lang: str) -> str:
    """Inside ``{% for %}``: what goes before this item of a list — nothing, ", " or the
    conjunction before the last item ("және" / "и")."""
    return grammar.separator(forloop["counter0"], forloop["counter0"] + forloop["revcounter"], lang)
