"""Charts drawn on the server as SVG: no chart library, no script, no request to another host.

Each function returns SVG markup (safe to embed: every text is escaped). Every chart on a page
has a table of the same numbers under it (the accessible alternative) and a CSV/XLSX download.
"""

import decimal
import json
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .intervals import funnel_limits

if TYPE_CHECKING:
    from .services import FunnelPoint

MAP_PATH = Path(__file__).resolve().parent / "data" / "kz-regions-svg.json"
PALETTE = ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"]  # colour-blind safe
UNKNOWN = "#e0e0e0"


def shown(value: float, spec: str = "g") -> str:
    """A number as text of the chart, in the page's language (1 234,5 in kk and ru); the
    coordinates stay plain ``{x:.1f}``."""
    return number_format(decimal.Decimal(format(value, spec)))


@cache
def map_data() -> dict:
    return json.loads(MAP_PATH.read_text(encoding="utf-8"))


def _svg(width, height, body, title) -> str:
    # Safe: every text that goes into ``body`` and ``title`` is escaped where it is built.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>{body}</svg>'
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(
    items: list[tuple[str, float, float | None, float | None]], title: str, unit: str = ""
) -> str:
    """Horizontal bars: (label, value, low, high) — the whiskers show the interval when given."""
    row_h, left, width = 22, 210, 720
    height = 30 + row_h * len(items)
    top = max([v for _l, v, _lo, _hi in items] + [hi or 0 for *_r, hi in items] + [0])
    scale = (width - left - 60) / _nice_max(top)
    body = []
    for i, (label, value, low, high) in enumerate(items):
        y = 20 + i * row_h
        body.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" class="label">{escape(label)}</text>'
        )
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{max(value * scale, 0.5):.1f}" height="{row_h - 8}" class="bar"/>'
        )
        if low is not None and high is not None:
            body.append(
                f'<line x1="{left + low * scale:.1f}" x2="{left + high * scale:.1f}" y1="{y + 11}" y2="{y + 11}" class="whisker"/>'
            )
        body.append(
            f'<text x="{left + max(value, high or 0) * scale + 6:.1f}" y="{y + 14}" class="value">{shown(value)}{escape(unit)}</text>'
        )
    return _svg(width, height, "".join(body), title)


def line_chart(points: list[tuple[str, int]], markers: list[tuple[int, str]], title: str) -> str:
    """Counts per period as a line; ``markers`` are (index, label) vertical lines (the law's
    entry into force, campaign dates); their labels are staggered so that close dates stay
    readable."""
    width, height, left, bottom = 900, 340, 40, 40
    # One line per period marked, its labels joined (several plans approved in one month, or
    # the intervention on a plan's date, would otherwise print on top of each other).
    groups: dict[int, list[str]] = {}
    for index, label in markers:
        if label not in groups.setdefault(index, []):
            groups[index].append(label)
    top_margin = 20 + 12 * min(len(groups), 3)
    if not points:
        return _svg(width, 60, '<text x="10" y="30">—</text>', title)
    top = _nice_max(max(n for _p, n in points))
    dx = (width - left - 10) / max(len(points) - 1, 1)
    sy = (height - bottom - top_margin) / top

    def xy(i, n):
        return left + i * dx, height - bottom - n * sy

    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(xy(i, n) for i, (_p, n) in enumerate(points))
    )
    body = [f'<line x1="{left}" x2="{width - 10}" y1="{height - bottom}" y2="{height - bottom}" class="axis"/>',
            f'<text x="4" y="{top_margin + 4}" class="value">{shown(top)}</text>', f'<path d="{path}" class="line"/>']  # fmt: skip
    for k, (index, labels) in enumerate(sorted(groups.items())):
        label = " · ".join(labels)
        x, y = left + index * dx, 12 + 12 * (k % 3)
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 2}" y2="{height - bottom}" class="marker"/>'
        )
        body.append(f'<text x="{x + 3:.1f}" y="{y}" class="marker-label">{escape(label)}</text>')
    # As many date labels as fit without touching (a label takes about 75 px).
    step = max(1, math.ceil(len(points) / ((width - left) // 75)))
    for i in range(0, len(points), step):
        x, _y = xy(i, 0)
        body.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="tick">{escape(points[i][0])}</text>'
        )
    return _svg(width, height, "".join(body), title)


def funnel_plot(
    points: "list[FunnelPoint]",
    national_rate: float | None,
    title: str,
    limits_at: Callable[[float, float], tuple[float, float]] | None = None,
    unit: str = "",
) -> str:
    """Region rates (y) against population (x, log scale) with the 95% and 99.8% limits.
    ``limits_at(population, alpha)`` gives the limits of observed/expected for a region of
    that population (the funnel's own, widened for over-dispersion when asked); by default
    exact Poisson limits of a rate per 100,000 for the period. ``unit`` (the rate's unit in
    words) labels the vertical axis."""
    width, height, left, bottom = 900, 420, 60, 40
    if not points or not national_rate:
        return _svg(width, 60, '<text x="10" y="30">—</text>', title)
    pops = [p.population for p in points]
    xmin, xmax = math.log10(min(pops) * 0.8), math.log10(max(pops) * 1.2)
    rates = [p.rate for p in points]
    ymax = _nice_max(max([*rates, national_rate * 3]))
    sx = (width - left - 20) / (xmax - xmin)
    sy = (height - bottom - 20) / ymax

    def X(pop):
        return left + (math.log10(pop) - xmin) * sx

    def Y(rate):
        return height - bottom - min(rate, ymax) * sy

    body = [
        f'<line x1="{left}" x2="{width - 20}" y1="{Y(national_rate):.1f}" y2="{Y(national_rate):.1f}" class="national"/>'
    ]
    if limits_at is None:
        national = national_rate / 100_000

        def limits_at(people: float, alpha: float) -> tuple[float, float]:
            return funnel_limits(national * people, alpha)

    for alpha, css in ((0.05, "limit95"), (0.002, "limit998")):
        upper, lower = [], []
        for k in range(41):
            pop = 10 ** (xmin + (xmax - xmin) * k / 40)
            low, high = limits_at(pop, alpha)
            upper.append(f"{X(pop):.1f},{Y(high * national_rate):.1f}")
            lower.append(f"{X(pop):.1f},{Y(low * national_rate):.1f}")
        body.append(f'<polyline points="{" ".join(upper)}" class="{css}"/>')
        body.append(f'<polyline points="{" ".join(lower)}" class="{css}"/>')
    for point in points:
        css = "out" if point.outside else "in"
        x, y = X(point.population), Y(point.rate)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="{css}"><title>{escape(point.row.region.name)}: {shown(point.rate, ".2f")}</title></circle>'
        )
        if point.outside:
            body.append(
                f'<text x="{x + 7:.1f}" y="{y + 4:.1f}" class="label">{escape(point.row.region.short_name)}</text>'
            )
    axis = escape(_("population (log scale) →"))
    body.append(f'<text x="{left}" y="{height - 8}" class="tick">{axis}</text>')
    if unit:
        label = escape(_("↑ rate %(unit)s") % {"unit": unit})
        body.append(f'<text x="{left + 4}" y="14" class="tick">{label}</text>')
    return _svg(width, height, "".join(body), title)


def choropleth(
    rates: dict[str, float | None], names: dict[str, str], title: str, attribution: str
) -> str:
    """The 20 regions coloured by rate (quantile-free equal steps); grey: rate unknown."""
    data = map_data()
    known = sorted(r for r in rates.values() if r is not None)
    # Quantile classes: rates are skewed (one city far above the rest), equal steps would paint
    # almost every region the same pale colour.
    breaks = (
        [known[min(len(known) - 1, len(known) * k // len(PALETTE))] for k in range(1, len(PALETTE))]
        if known
        else []
    )

    def colour(rate):
        if rate is None:
            return UNKNOWN
        return PALETTE[sum(rate >= b for b in breaks) if breaks else 0]

    body = []
    for region in data["regions"]:
        code = region["code"]
        rate = rates.get(code)
        label = (
            f"{names.get(code, code)}: {shown(rate, '.2f')}"
            if rate is not None
            else f"{names.get(code, code)}: ?"
        )
        body.append(
            f'<path d="{region["path"]}" fill="{colour(rates.get(code))}" class="region"><title>{escape(label)}</title></path>'
        )
    for region in data["regions"]:
        if region["city"]:  # cities are small on the map: a marked circle too
            cx, cy = region["center"]
            body.append(
                f'<circle cx="{cx}" cy="{cy}" r="7" fill="{colour(rates.get(region["code"]))}" class="city"><title>{escape(names.get(region["code"], ""))}</title></circle>'
            )
    w, h = data["viewBox"][2], data["viewBox"][3]
    body.append(
        f'<text x="{w - 6}" y="{h - 6}" text-anchor="end" class="attribution">{escape(attribution)}</text>'
    )
    return _svg(w, h, "".join(body), title)


# The map of the funnel's verdicts, as OHID's Fingertips colours a comparison without a
# better/worse direction (a higher count of registered cases may mean more offences or more
# reporting): lower light blue, similar yellow, higher dark blue; not compared the palest grey
# (regions are outlined in white: a white fill would vanish); no rate a darker grey. Each class
# also has a label in the legend and in the region's tooltip.
VERDICT_COLOURS = {
    "below": "#bed2ff",
    "expected": "#ffd500",
    "above": "#3e64ff",
    "not_compared": "#f3f2f1",
    "no_rate": "#b1b4b6",
}


def verdict_map(
    verdicts: dict[str, str],
    labels: dict[str, str],
    rates: dict[str, str],
    names: dict[str, str],
    title: str,
    attribution: str,
) -> str:
    """The 20 regions coloured by the funnel's verdict (``verdicts``: region code → a key of
    :data:`VERDICT_COLOURS`), with a legend (``labels``: key → text) and each region's rate
    (already written with its unit) in its tooltip. A region absent from ``verdicts`` is out
    of the actor's scope: coloured as not compared, its tooltip only its name."""
    data = map_data()

    def colour(code: str) -> str:
        return VERDICT_COLOURS[verdicts.get(code, "not_compared")]

    body = []
    for region in data["regions"]:
        code = region["code"]
        label = names.get(code, code)
        if code in verdicts:
            label += f": {labels[verdicts[code]]}"
            if rates.get(code):
                label += f" ({rates[code]})"
        body.append(
            f'<path d="{region["path"]}" fill="{colour(code)}" class="region" data-verdict="{escape(verdicts.get(code, ""))}"><title>{escape(label)}</title></path>'
        )
    for region in data["regions"]:
        if region["city"]:  # cities are small on the map: a marked circle too
            cx, cy = region["center"]
            body.append(
                f'<circle cx="{cx}" cy="{cy}" r="7" fill="{colour(region["code"])}" class="city"><title>{escape(names.get(region["code"], ""))}</title></circle>'
            )
    w, h = data["viewBox"][2], data["viewBox"][3]
    body.append(
        f'<text x="{w - 6}" y="{h - 6}" text-anchor="end" class="attribution">{escape(attribution)}</text>'
    )
    # The legend under the map (the map fills its box: no corner is free), wrapped in rows.
    x, y = 6, h + 8
    for key, text in labels.items():
        width = 24 + 9 * len(text) + 24
        if x > 6 and x + width > w:
            x, y = 6, y + 22
        body.append(
            f'<rect x="{x}" y="{y}" width="18" height="14" fill="{VERDICT_COLOURS[key]}" stroke="#505a5f" class="legend"/>'
            f'<text x="{x + 24}" y="{y + 12}" class="legend">{escape(text)}</text>'
        )
        x += width
    return _svg(w, y + 22, "".join(body), title)
