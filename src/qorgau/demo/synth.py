"""A synthetic national data set written straight into the registry tables (``qorgau synth``).

Cases over every article of the reference data, with their qualification rows, parties, status
histories, term extensions and the reports of the information registration book, skewed by
region (population), article (a national frequency), weekday and season. Every row is marked
``is_demo`` (demonstration data, removable with ``load-demo --replace``) and obeys the rules of
the register:

- case numbers ``YYYY-RR-NNNNNN`` gapless per (local year, region), in registration order, and
  the ``CaseNumberSequence`` counters set to the last number, so the next case registered through
  ``registry.services`` continues its sequence;
- status histories made only of the transitions ``registry.lifecycle`` allows, with the grounds
  it requires (a termination ground, reconciliation only where the article allows it, a
  suspension ground, the absorbing case of a joining, a reason for a resumption);
- terms as ``reference.rules.case_term_end`` computes them, extensions within the rule's longest
  term, report decisions after their receipt, the pending reports recent.

Rows are generated with NumPy, a block of cases at a time, and written with ``COPY`` on
PostgreSQL (with explicit ids, the id sequences set after) or ``executemany`` on SQLite. The
distributions and their sources are in docs/synth.md. No audit entry is written per row: this
is a generator of test data, not a registration.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.core.errors import Conflict, Invalid
from qorgau.reference import loaders, rules
from qorgau.reference.models import (
    Article,
    ArticlePart,
    Body,
    BodyKind,
    Law,
    OffenceCategory,
    PopulationFigure,
    Region,
    RuleKind,
    TermUnit,
)
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
from qorgau.registry.models import (
    Case,
    CaseNumberSequence,
    Party,
    Qualification,
    Report,
    StatusChange,
    TermExtension,
)
from qorgau.stats import aggregates

if TYPE_CHECKING:
    import numpy as np

# NumPy is imported inside the functions that use it: the commands start without it
# (tests/test_startup.py).

# --- Distributions (sources and reasoning in docs/synth.md) ---------------------------------

# Registered cases per 10,000, by article: the order of magnitude of the national statistics of
# recorded offences (theft and fraud the bulk, violent and rare offences far behind). An article
# of the reference data not listed here gets DEFAULT_SHARE.
ARTICLE_SHARES: dict[str, float] = {
    "188": 3600, "190": 2200, "296": 260, "191": 250, "189": 250, "293": 300, "345": 230,
    "108": 180, "297": 160, "115": 120, "202": 120, "346": 120, "107": 110, "200": 90,
    "106": 70, "287": 70, "366": 70, "99": 60, "192": 60, "367": 60, "385": 60, "139": 50,
    "120": 45, "131": 40, "194": 40, "216": 40, "361": 40, "380": 40, "205": 30, "369": 30,
    "105": 25, "121": 25, "371": 25, "378": 25, "419": 25, "110": 20, "245": 20, "362": 20,
    "104": 15, "214": 15, "294": 15, "368": 15, "126": 10, "218": 10, "125": 8, "128": 4,
    "255": 1, "272": 1, "115-1": 3, "125-1": 1.5,
}  # fmt: skip
DEFAULT_SHARE = 5.0
# Part 1 (the basic offence) is the usual qualification; each further part is rarer.
PART_DECAY = 0.45
# Offences against the person: their suspects are known to their victims more often.
PERSONAL = {"99", "104", "105", "106", "107", "108", "110", "115", "120", "121", "125", "126",
            "128", "131", "139", "115-1", "125-1"}  # fmt: skip
# Offences with no victim to record (the state's interest).
VICTIMLESS = {"214", "216", "218", "245", "255", "287", "296", "297", "346", "366", "367",
              "368", "369", "371", "419"}  # fmt: skip
# Offences whose perpetrator is most often unknown at first (suspended: person not identified).
UNKNOWN_OFTEN = {"188", "190", "191", "200", "202", "205", "294"}
# Share of women among victims, by article (others: FEMALE_DEFAULT).
FEMALE_SHARE = {"115-1": 0.8, "125-1": 0.92, "120": 0.97, "121": 0.85, "110": 0.7,
                "139": 0.6, "131": 0.55}  # fmt: skip
FEMALE_DEFAULT = 0.45

# Population of the two regions without an official figure in reference/data/population.csv
# (Akmola, Jetisu): an assumed order of magnitude, used only to weight synthetic data.
ASSUMED_POPULATION = {"KZ-11": 780_000, "KZ-33": 700_000}

# Monday … Sunday (fewer registrations at the weekend) and January … December (more in summer).
WEEKDAY_FACTOR = (1.08, 1.06, 1.05, 1.04, 1.03, 0.92, 0.82)
MONTH_FACTOR = (0.86, 0.85, 0.94, 0.99, 1.05, 1.09, 1.12, 1.11, 1.04, 1.00, 0.95, 0.98)
YEAR_TREND = 0.02  # each later year a little more

CHANNELS = {Channel.IN_PERSON: 0.30, Channel.CALL_102: 0.30, Channel.HELPLINE_111: 0.03,
            Channel.WRITTEN: 0.12, Channel.E_OTINISH: 0.15, Channel.MEDIA: 0.03,
            Channel.REFERRAL: 0.07}  # fmt: skip
# Path of a case after registration (theft-like articles: more suspensions, fewer to court).
PATHS = ("open", "court", "terminated", "suspended", "joined")
PATH_P = (0.12, 0.40, 0.22, 0.22, 0.04)
PATH_P_UNKNOWN = (0.10, 0.26, 0.18, 0.42, 0.04)
RESUME_AFTER = {"terminated": 0.10, "suspended": 0.25}
# After a resumption: (sent to court, terminated, still under investigation).
AFTER_RESUMPTION = (0.55, 0.20, 0.25)
REQUALIFIED = 0.04
EXTENDED = 0.75  # of the cases that ran past their term, those whose term was extended
EXTENSION_DAYS = 30
MAX_EXTENSIONS = 6
TERMINATION_GROUNDS = {
    TerminationGround.NO_CORPUS_DELICTI: 0.30, TerminationGround.NOT_ESTABLISHED: 0.20,
    TerminationGround.RECONCILIATION: 0.25, TerminationGround.NO_EVENT: 0.08,
    TerminationGround.AMNESTY: 0.02, TerminationGround.LIMITATION: 0.03,
    TerminationGround.DEATH: 0.02, TerminationGround.NO_COMPLAINT: 0.05,
    TerminationGround.OTHER: 0.05,
}  # fmt: skip
SUSPENSION_GROUNDS = {SuspensionGround.SUSPECT_UNKNOWN: 0.60, SuspensionGround.SUSPECT_HIDING: 0.30,
                      SuspensionGround.SUSPECT_ILL: 0.05, SuspensionGround.OTHER: 0.05}  # fmt: skip
VICTIM_AGE = {AgeBand.UNDER_14: 0.03, AgeBand.AGE_14_17: 0.05, AgeBand.AGE_18_24: 0.14,
              AgeBand.AGE_25_34: 0.25, AgeBand.AGE_35_44: 0.20, AgeBand.AGE_45_54: 0.13,
              AgeBand.AGE_55_64: 0.10, AgeBand.AGE_65_PLUS: 0.07, AgeBand.UNKNOWN: 0.03}  # fmt: skip
SUSPECT_AGE = {AgeBand.AGE_14_17: 0.05, AgeBand.AGE_18_24: 0.20, AgeBand.AGE_25_34: 0.33,
               AgeBand.AGE_35_44: 0.22, AgeBand.AGE_45_54: 0.12, AgeBand.AGE_55_64: 0.05,
               AgeBand.AGE_65_PLUS: 0.01, AgeBand.UNKNOWN: 0.02}  # fmt: skip
SUSPECT_SEX = {Sex.MALE: 0.85, Sex.FEMALE: 0.13, Sex.UNKNOWN: 0.02}
CONSENT = {"": 0.40, "t": 0.45, "f": 0.15}  # not asked, yes, no
RELATIONSHIP_PERSONAL = {Relationship.ACQUAINTANCE: 0.32, Relationship.SPOUSE: 0.14,
                         Relationship.FORMER_PARTNER: 0.10, Relationship.RELATIVE: 0.16,
                         Relationship.STRANGER: 0.18, Relationship.COLLEAGUE: 0.05,
                         Relationship.UNKNOWN: 0.05}  # fmt: skip
RELATIONSHIP_OTHER = {Relationship.STRANGER: 0.68, Relationship.ACQUAINTANCE: 0.15,
                      Relationship.RELATIVE: 0.04, Relationship.COLLEAGUE: 0.03,
                      Relationship.UNKNOWN: 0.10}  # fmt: skip
# Reports that did not open a case: refused (no offence) or sent to another body.
OTHER_DECISIONS = {Decision.NO_OFFENCE: 0.55, Decision.SENT_ELSEWHERE: 0.45}
PENDING_SHARE = 0.0005  # of the reports without a case, received within the last day

# Free texts: plain, bilingual, nothing identifying; no tab, newline or backslash (COPY text).
SUMMARIES = {
    "property": ("Пәтерден мүлік ұрланғаны туралы арыз / заявление о краже имущества из квартиры",
                 "Көлік ұрлығы туралы хабарлама / сообщение о хищении имущества из автомобиля"),
    "fraud": ("Интернет арқылы алаяқтық туралы арыз / заявление о мошенничестве через интернет",
              "Телефон арқылы ақша алдау / обман по телефону с переводом денег"),
    "person": ("Денсаулыққа зиян келтіру туралы арыз / заявление о причинении вреда здоровью",
               "Тұрмыстық жанжал кезіндегі күш қолдану / насилие в ходе бытового конфликта"),
    "other": ("Қоғамдық орындағы құқық бұзушылық туралы хабарлама / сообщение о правонарушении",
              "Полиция рапорты / рапорт сотрудника полиции"),
}  # fmt: skip
FRAUD = {"189", "190", "205", "214", "216", "218", "245", "385"}
SENT_ELSEWHERE_NOTES = (
    "Әкімшілік іс жүргізуге жіберілді / передано для административного производства",
    "Аумақтық бөлімге жіберілді / направлено по территориальности",
)
REASON_COURT = "Айыптау актісі / обвинительный акт"
REASON_TERMINATED = "Тоқтату туралы қаулы / постановление о прекращении"
REASON_SUSPENDED = "Тоқтата тұру туралы қаулы / постановление о приостановлении"
REASON_JOINED = "Бір іс жүргізуге біріктірілді / соединено в одно производство"
REASON_RESUMED = "Іс жүргізу қайта басталды / производство возобновлено"
REASON_REQUALIFIED = "Әрекет қайта сараланды / действия переквалифицированы"
EXTENSION_BY = "Облыс прокуроры / прокурор области"
EXTENSION_REASON = "Сараптама тағайындалды / назначена экспертиза"

BLOCK = 100_000  # cases (or reports) generated and written at a time
DAY = 86_400
ZERO = dt.timedelta()
STATUSES = (
    CaseStatus.INVESTIGATION,
    CaseStatus.SENT_TO_COURT,
    CaseStatus.TERMINATED,
    CaseStatus.SUSPENDED,
    CaseStatus.JOINED,
)
INV, COURT, TERM, SUSP, JOIN = range(5)


@dataclass(frozen=True)
class Plan:
    """What to generate: ``cases`` and ``reports`` (None: five per case), registered from
    1 January of ``from_year`` to the end of ``to_year`` (not after yesterday)."""

    cases: int
    reports: int | None = None
    seed: int = 2026
    from_year: int | None = None
    to_year: int | None = None

    @property
    def report_count(self) -> int:
        return 5 * self.cases if self.reports is None else self.reports


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress shown."""


def _choice(rng: np.random.Generator, weights: dict, size: int) -> np.ndarray:
    """Indexes into ``list(weights)`` drawn by the weights."""
    import numpy as np

    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _pick(rng: np.random.Generator, weights: dict, size: int) -> np.ndarray:
    """Values of ``weights`` drawn by their weights (an object array of the values)."""
    import numpy as np

    values = np.array([str(v) for v in weights], dtype=object)
    return values[_choice(rng, weights, size)]


# --- Time: local (Asia/Almaty) days and UTC seconds -----------------------------------------


class Clock:
    """Converts between UTC seconds and Kazakhstan's local days and wall times, exactly (the
    offset changed from +6 to +5 on 2024-03-01), for instants from ``first`` to ``last``."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        import numpy as np

        zone = timezone.get_default_timezone()
        self.t0 = int(dt.datetime.combine(first, dt.time(), dt.UTC).timestamp()) - 3 * DAY
        hours = ((last - first).days + 6) * 24
        start = dt.datetime.fromtimestamp(self.t0, dt.UTC)
        # The zone's offset at each UTC hour (offsets change on whole hours).
        self.offsets = np.array(
            [
                int(
                    (
                        (start + dt.timedelta(hours=h)).astimezone(zone).utcoffset() or ZERO
                    ).total_seconds()
                )
                for h in range(hours)
            ],
            dtype=np.int64,
        )

    def _offset(self, utc: np.ndarray) -> np.ndarray:
        import numpy as np

        index = np.clip((utc - self.t0) // 3600, 0, len(self.offsets) - 1)
        return self.offsets[index]

    def to_utc(self, wall: np.ndarray) -> np.ndarray:
        """UTC seconds of local wall times (seconds since the epoch, read as Almaty time)."""
        return wall - self._offset(wall - 6 * 3600)

    def local_day(self, utc: np.ndarray) -> np.ndarray:
        """The local date (days since the epoch) of UTC instants."""
        return (utc + self._offset(utc)) // DAY


def _epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _date(epoch_day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(epoch_day))


# --- Writing: COPY on PostgreSQL, executemany on SQLite --------------------------------------


class Writer:
    """Writes columns of values into a table; knows how the backend wants each type."""

    def __init__(self, first_day: int, last_day: int) -> None:
        import numpy as np

        self.postgres = connection.vendor == "postgresql"
        self.day0 = first_day
        days = np.arange(first_day, last_day + 1).astype("datetime64[D]").astype(str)
        self.days = np.array(days.tolist(), dtype=object)
        tz = "+00" if self.postgres else ""
        self.times = np.array(
            [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{tz}" for s in range(DAY)],
            dtype=object,
        )
        self.null: Any = "\\N" if self.postgres else None
        self.true: Any = "t" if self.postgres else 1
        self.false: Any = "f" if self.postgres else 0
        self.rows = 0

    def ts(self, utc: np.ndarray, present: np.ndarray | None = None) -> list:
        """Timestamps (UTC seconds) as the backend reads them; None where not ``present``."""
        import numpy as np

        values = self.days[utc // DAY - self.day0] + self.times[utc % DAY]
        if present is not None:
            values = np.where(present, values, self.null)
        return values.tolist()

    def date(self, days: np.ndarray, present: np.ndarray | None = None) -> list:
        import numpy as np

        values = self.days[days - self.day0]
        if present is not None:
            values = np.where(present, values, self.null)
        return values.tolist()

    def ints(self, values: np.ndarray, present: np.ndarray | None = None) -> list:
        import numpy as np

        if present is None:
            return values.tolist()
        return np.where(present, values.astype(object), self.null).tolist()

    def bools(self, values: np.ndarray) -> list:
        import numpy as np

        return np.where(values, self.true, self.false).tolist()

    def text(self, values: np.ndarray | str, size: int) -> list:
        if isinstance(values, str):
            return [values] * size
        return values.tolist()

    def nullable_bool(self, values: np.ndarray) -> list:
        """Values "t", "f" or "" (unknown)."""
        import numpy as np

        if self.postgres:
            return np.where(values == "", self.null, values).tolist()
        mapped = {"": None, "t": 1, "f": 0}
        return [mapped[v] for v in values.tolist()]

    def write(self, table: str, columns: Sequence[str], values: Sequence[list]) -> None:
        """Write the rows whose columns are ``values`` (lists of equal length)."""
        size = len(values[0]) if values else 0
        if not size:
            return
        self.rows += size
        names = ", ".join(columns)
        with connection.cursor() as cursor:
            if self.postgres:
                template = "\t".join(["%s"] * len(columns)) + "\n"
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    step = 50_000
                    rows = list(zip(*values, strict=True))
                    for start in range(0, size, step):
                        copy.write("".join([template % row for row in rows[start : start + step]]))
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (our names)
                    list(zip(*values, strict=True)),
                )


# --- The reference data the generator draws from ---------------------------------------------


@dataclass
class Reference:
    regions: list[Region]
    region_p: np.ndarray
    bodies: np.ndarray  # the police body of each region
    articles: list[Article]
    article_p: np.ndarray
    in_force_day: np.ndarray  # local day from which the article applies
    in_force_ts: np.ndarray  # its first instant (UTC seconds)
    part_ids: np.ndarray  # (article, part index) -> ArticlePart id, 0 padded
    part_count: np.ndarray
    part_cum: np.ndarray  # (article, part index) -> cumulative probability
    category: np.ndarray  # 1: crime, 0: misdemeanour
    reconciliation: np.ndarray
    personal: np.ndarray
    victimless: np.ndarray
    unknown_often: np.ndarray
    female: np.ndarray
    summary_group: np.ndarray  # index into SUMMARIES


def _reference(clock: Clock) -> Reference:
    import numpy as np

    regions = list(Region.objects.order_by("order"))
    figures: dict[int, int] = {}
    for figure in PopulationFigure.objects.order_by("region_id", "-reference_date"):
        figures.setdefault(figure.region_id, figure.population)
    weights = np.array(
        [figures.get(r.pk) or ASSUMED_POPULATION.get(r.code, 700_000) for r in regions], float
    )
    police = {
        b.region_id: b.pk for b in Body.objects.filter(kind=BodyKind.POLICE, region__isnull=False)
    }
    missing = [r.code for r in regions if r.pk not in police]
    if missing:
        raise Invalid(None, _("No police body for region(s) %(codes)s.") % {"codes": missing})
    articles = list(Article.objects.prefetch_related("parts").order_by("code"))
    if not articles:
        raise Invalid(None, _("No articles in the reference data."))
    count = max(a.parts.count() for a in articles)
    part_ids = np.zeros((len(articles), count), dtype=np.int64)
    part_cum = np.ones((len(articles), count))
    part_count = np.zeros(len(articles), dtype=np.int64)
    for i, article in enumerate(articles):
        parts = sorted(article.parts.all(), key=lambda p: p.number)
        part_count[i] = len(parts)
        part_ids[i, : len(parts)] = [p.pk for p in parts]
        p = PART_DECAY ** np.arange(len(parts))
        part_cum[i, : len(parts)] = np.cumsum(p / p.sum())
        part_cum[i, len(parts) - 1 :] = 1.0
    in_force = [_epoch_day(a.in_force_on) for a in articles]
    groups = list(SUMMARIES)
    return Reference(
        regions=regions,
        region_p=weights / weights.sum(),
        bodies=np.array([police[r.pk] for r in regions], dtype=np.int64),
        articles=articles,
        article_p=_normalised([ARTICLE_SHARES.get(a.code, DEFAULT_SHARE) for a in articles]),
        in_force_day=np.array(in_force, dtype=np.int64),
        in_force_ts=clock.to_utc(np.array(in_force, dtype=np.int64) * DAY),
        part_ids=part_ids,
        part_count=part_count,
        part_cum=part_cum,
        category=np.array([a.category == OffenceCategory.CRIME for a in articles]),
        reconciliation=np.array([a.reconciliation_allowed for a in articles]),
        personal=np.array([a.code in PERSONAL for a in articles]),
        victimless=np.array([a.code in VICTIMLESS for a in articles]),
        unknown_often=np.array([a.code in UNKNOWN_OFTEN for a in articles]),
        female=np.array([FEMALE_SHARE.get(a.code, FEMALE_DEFAULT) for a in articles]),
        summary_group=np.array(
            [
                groups.index(
                    "person" if a.code in PERSONAL
                    else "fraud" if a.code in FRAUD
                    else "property" if a.code in UNKNOWN_OFTEN
                    else "other"
                )
                for a in articles
            ]
        ),
    )  # fmt: skip


def _normalised(values: Iterable[float]) -> np.ndarray:
    import numpy as np

    array = np.array(list(values), dtype=float)
    return array / array.sum()


# --- The generator ---------------------------------------------------------------------------


class Synth:
    """One generation run (see :func:`synthesise`)."""

    def __init__(self, plan: Plan, now: dt.datetime, progress: Callable) -> None:
        import numpy as np

        self.plan, self.progress = plan, progress
        self.rng = np.random.default_rng(plan.seed)
        self.now = now
        self.now_ts = int(now.timestamp())
        today = timezone.localtime(now).date()
        to_year = plan.to_year or today.year
        from_year = plan.from_year or to_year - 9
        self.first = dt.date(from_year, 1, 1)
        self.last = min(dt.date(to_year, 12, 31), today - dt.timedelta(days=1))
        if self.last < self.first:
            raise Invalid(None, _("The years given end before they begin (or in the future)."))
        self.clock = Clock(self.first - dt.timedelta(days=10), today + dt.timedelta(days=2))
        # Dates written run from before the first registration (its report) to the end of the
        # longest term of the last cases.
        self.writer = Writer(_epoch_day(self.first) - 10, _epoch_day(today) + 900)
        self.ref = _reference(self.clock)
        earliest = int(self.ref.in_force_day.min())
        if earliest > _epoch_day(self.last):
            raise Invalid(None, _("No article of the reference data is in force in these years."))
        # Days open to registration: from the first article in force; weighted by weekday,
        # season and a slight yearly trend.
        start = max(_epoch_day(self.first), earliest)
        self.days = np.arange(start, _epoch_day(self.last) + 1, dtype=np.int64)
        dates = self.days.astype("datetime64[D]")
        weekday = (self.days + 3) % 7  # 1970-01-01 was a Thursday
        month = dates.astype("datetime64[M]").astype(np.int64) % 12
        year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        weights = (
            np.array(WEEKDAY_FACTOR)[weekday]
            * np.array(MONTH_FACTOR)[month]
            * (1 + YEAR_TREND * (year - year.min()))
        )
        self.day_p = weights / weights.sum()
        self.always = np.flatnonzero(self.ref.in_force_day <= start)
        if not len(self.always):
            # No article covers the whole period: the days start when the first one applies.
            self.always = np.flatnonzero(self.ref.in_force_day == earliest)
        ruleset = rules.RuleSet()
        self.rules = {
            crime: ruleset.get(RuleKind.INVESTIGATION_TERM, category)
            for crime, category in ((True, OffenceCategory.CRIME),
                                    (False, OffenceCategory.MISDEMEANOUR))
        }  # fmt: skip
        self.counts: dict[str, int] = {}

    # -- drawing helpers

    def _articles(self, day: np.ndarray) -> np.ndarray:
        """Articles by national frequency, each drawn again among those in force all along
        when it was not in force yet on ``day``."""
        rng, ref = self.rng, self.ref
        article = rng.choice(len(ref.articles), size=len(day), p=ref.article_p)
        early = ref.in_force_day[article] > day
        if early.any():
            p = ref.article_p[self.always] / ref.article_p[self.always].sum()
            article[early] = self.always[rng.choice(len(self.always), size=int(early.sum()), p=p)]
        return article

    def _parts(self, article: np.ndarray) -> np.ndarray:
        """A part index of each article, part 1 the most frequent."""
        u = self.rng.random(len(article))
        return (u[:, None] > self.ref.part_cum[article]).sum(axis=1)

    def _moments(self, size: int, mean_hour: float, sd_hour: float) -> tuple[np.ndarray, ...]:
        """(local day, UTC seconds) of ``size`` events on weighted days, at a time of day
        around ``mean_hour`` (one in seven at any hour)."""
        import numpy as np

        rng = self.rng
        day = self.days[rng.choice(len(self.days), size=size, p=self.day_p)]
        seconds = rng.normal(mean_hour * 3600, sd_hour * 3600, size)
        anytime = rng.random(size) < 1 / 7
        seconds[anytime] = rng.uniform(0, DAY, int(anytime.sum()))
        seconds = np.clip(seconds, 0, DAY - 1).astype(np.int64)
        return day, self.clock.to_utc(day * DAY + seconds)

    def _days_after(self, start: np.ndarray, median_days: float, sigma: float) -> np.ndarray:
        """Instants a lognormal number of days (and a random time) after ``start``."""
        import numpy as np

        days = self.rng.lognormal(math.log(median_days), sigma, len(start))
        return start + np.clip(days * DAY, 3600, 900 * DAY).astype(np.int64)

    def _term_end(self, reg_day: np.ndarray, crime: np.ndarray, longest: bool) -> np.ndarray:
        """The local day the term of each case ends (its longest term with ``longest``), -1
        without a rule."""
        import numpy as np

        result = np.full(len(reg_day), -1, dtype=np.int64)
        for is_crime, rule in self.rules.items():
            if rule is None:
                continue
            amount = rule.max_amount if longest else rule.amount
            if amount is None:
                continue
            mask = crime == is_crime
            if rule.unit == TermUnit.MONTHS:
                days, inverse = np.unique(reg_day[mask], return_inverse=True)
                ends = [_epoch_day(rules.add_months(_date(d), amount)) for d in days]
                result[mask] = np.array(ends, dtype=np.int64)[inverse]
            elif rule.unit == TermUnit.DAYS:
                result[mask] = reg_day[mask] + amount
            else:  # hours, from the registration instant: not a unit of these terms today
                raise Invalid(None, _("An investigation term in hours is not supported."))
        return result

    # -- the run

    def run(self) -> dict[str, int]:
        import numpy as np

        plan, rng, ref = self.plan, self.rng, self.ref
        n = plan.cases
        day, reg = self._moments(n, 13.5, 2.8)
        order = np.argsort(reg, kind="stable")
        day, reg = day[order], reg[order]
        # Small integer types: at 10M cases these arrays are the run's memory.
        region = rng.choice(len(ref.regions), size=n, p=ref.region_p).astype(np.int16)
        article = self._articles(day).astype(np.int16)
        year = (day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).astype(
            np.int16
        )
        seq, counters = self._numbers(year, region)
        linked = min(n, plan.report_count)
        case_ids = reserve_ids(Case, n)
        report_ids = reserve_ids(Report, linked)
        for start in range(0, n, BLOCK):
            block = slice(start, min(n, start + BLOCK))
            self._cases(case_ids[block], report_ids[block], day[block], reg[block],
                        region[block].astype(np.int64), article[block].astype(np.int64),
                        self._parts(article[block]), year[block].astype(np.int64),
                        seq[block])  # fmt: skip
            self.progress(_("cases"), block.stop, n)
        others = plan.report_count - linked
        for start in range(0, others, BLOCK):
            size = min(BLOCK, others - start)
            self._other_reports(size)
            self.progress(_("reports without a case"), start + size, others)
        self._counters(counters)
        return {"cases": n, "reports": plan.report_count, **self.counts}

    def _numbers(self, year: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, dict]:
        """Each case's position in its (year, region) sequence, in registration order, and the
        last position of each sequence."""
        import numpy as np

        if not len(year):
            return year, {}
        key = (year.astype(np.int64) - int(year.min())) * len(self.ref.regions) + region
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        first = np.r_[True, ordered[1:] != ordered[:-1]]
        starts = np.flatnonzero(first)
        group_start = starts[np.cumsum(first) - 1]
        seq = np.empty(len(key), dtype=np.int64)
        seq[order] = np.arange(len(key)) - group_start + 1
        last = {}
        ends = np.r_[starts[1:], len(ordered)] - 1
        for s, e in zip(starts, ends, strict=True):
            i = order[s]
            last[(int(region[i]), int(year[i]))] = int(e - s + 1)
        if last and max(last.values()) > 999_999:
            raise Invalid(None, _("More than 999,999 cases in a region in a year."))
        return seq, last

    def _cases(self, ids, report_ids, day, reg, region, article, part, year, seq) -> None:
        """Generate and write a block of cases with everything that hangs on them; the first
        ``len(report_ids)`` were opened on a report."""
        import numpy as np

        rng, ref, w = self.rng, self.ref, self.writer
        m = len(day)
        now = self.now_ts
        # -- the path of statuses
        unknown = ref.unknown_often[article]
        u = rng.random(m)
        cum_usual, cum_unknown = np.cumsum(PATH_P), np.cumsum(PATH_P_UNKNOWN)
        path = np.where(unknown, (u[:, None] > cum_unknown).sum(1), (u[:, None] > cum_usual).sum(1))
        path = np.minimum(path, len(PATHS) - 1)
        t1 = self._days_after(reg, 45, 0.8)
        path[t1 >= now] = 0
        # a joining: to the previous case of the same region in this block that is not joined
        joined = path == PATHS.index("joined")
        by_region = np.argsort(region, kind="stable")
        not_joined = np.where(~joined[by_region], np.arange(m), -1)
        previous = np.maximum.accumulate(not_joined)
        before = np.r_[-1, previous[:-1]]  # in region order: the last case not joined before
        target_sorted = np.where(before >= 0, by_region[np.maximum(before, 0)], -1)
        target = np.full(m, -1, dtype=np.int64)
        target[by_region] = np.where(joined[by_region], target_sorted, -1)
        valid = target >= 0
        valid[valid] = region[target[valid]] == region[valid]
        target[~valid] = -1
        path[joined & ~valid] = 0
        first_status = np.array([INV, COURT, TERM, SUSP, JOIN])[path]
        has1 = first_status != INV
        term_ground = np.where(first_status == TERM, _pick(rng, TERMINATION_GROUNDS, m), "").astype(
            object
        )
        no_reconciliation = (term_ground == TerminationGround.RECONCILIATION) & ~ref.reconciliation[
            article
        ]
        term_ground[no_reconciliation] = TerminationGround.NOT_ESTABLISHED
        grounds = dict(SUSPENSION_GROUNDS)
        susp_ground = np.where(first_status == SUSP, _pick(rng, grounds, m), "").astype(object)
        # resumption of a termination or a suspension, then what followed
        resume_p = np.where(first_status == TERM, RESUME_AFTER["terminated"],
                            np.where(first_status == SUSP, RESUME_AFTER["suspended"], 0.0))  # fmt: skip
        t2 = t1 + rng.integers(3 * DAY, 90 * DAY, m)
        has2 = (rng.random(m) < resume_p) & (t2 < now)
        t3 = self._days_after(t2, 40, 0.7)
        after = rng.choice(3, size=m, p=AFTER_RESUMPTION)
        third_status = np.array([COURT, TERM, INV])[after]
        has3 = has2 & (third_status != INV) & (t3 < now)
        third_ground = np.where(
            has3 & (third_status == TERM), _pick(rng, TERMINATION_GROUNDS, m), ""
        ).astype(object)
        third_ground[
            (third_ground == TerminationGround.RECONCILIATION) & ~ref.reconciliation[article]
        ] = TerminationGround.NOT_ESTABLISHED
        status = np.where(has3, third_status, np.where(has2, INV, first_status))
        status_at = np.where(has3, t3, np.where(has2, t2, np.where(has1, t1, reg)))
        final_term_ground = np.where(has3, third_ground, np.where(has2, "", term_ground))
        final_susp_ground = np.where(has2, "", susp_ground)
        # -- qualification: some cases requalified to another part while open
        first_open_end = np.where(has1, t1, now)
        requalify = (ref.part_count[article] > 1) & (rng.random(m) < REQUALIFIED)
        shift = 1 + (rng.random(m) * np.maximum(ref.part_count[article] - 1, 1)).astype(np.int64)
        new_part = np.where(
            requalify, (part + shift) % np.maximum(ref.part_count[article], 1), part
        )
        t_requalified = reg + ((first_open_end - reg) * rng.uniform(0.1, 0.9, m)).astype(np.int64)
        initial_part_id = ref.part_ids[article, part]
        part_id = ref.part_ids[article, new_part]
        # -- terms and extensions (in the first open period only)
        crime = ref.category[article]
        reg_day = self.clock.local_day(reg)
        base_end = self._term_end(reg_day, crime, longest=False)
        limit = self._term_end(reg_day, crime, longest=True)
        open_end_day = self.clock.local_day(first_open_end)
        has_rule = base_end >= 0
        overdue = has_rule & (open_end_day > base_end) & (rng.random(m) < EXTENDED)
        wanted = np.ceil((open_end_day - base_end) / EXTENSION_DAYS).astype(np.int64)
        room = np.where(limit >= 0, (limit - base_end) // EXTENSION_DAYS, MAX_EXTENSIONS)
        extensions = np.where(overdue, np.clip(np.minimum(wanted, room), 0, MAX_EXTENSIONS), 0)
        suspended_days = np.where(
            has2 & (first_status == SUSP), self.clock.local_day(t2) - self.clock.local_day(t1), 0
        )
        term_ends = base_end + extensions * EXTENSION_DAYS + suspended_days
        # -- the case rows
        number = [
            f"{y:04d}-{code}-{s:06d}"
            for y, code, s in zip(year.tolist(),
                                  np.array([r.code.removeprefix("KZ-") for r in ref.regions],
                                           dtype=object)[region].tolist(),
                                  seq.tolist(), strict=True)
        ]  # fmt: skip
        region_ids = np.array([r.pk for r in ref.regions], dtype=np.int64)[region]
        status_text = np.array([str(s) for s in STATUSES], dtype=object)
        w.write(
            Case._meta.db_table,
            ["id", "number", "number_year", "number_seq", "erdr_number", "registered_at",
             "region_id", "investigating_body_id", "article_part_id", "status", "status_at",
             "termination_ground", "suspension_ground", "joined_to_id", "term_ends_on",
             "is_demo", "created_at"],
            [w.ints(ids), number, w.ints(year), w.ints(seq), w.text("", m), w.ts(reg),
             w.ints(region_ids), w.ints(ref.bodies[region]), w.ints(part_id),
             status_text[status].tolist(), w.ts(status_at), final_term_ground.tolist(),
             final_susp_ground.tolist(),
             w.ints(np.where(target >= 0, ids[np.maximum(target, 0)], 0),
                   present=(status == JOIN) & (target >= 0)),
             w.date(np.maximum(term_ends, self.writer.day0), present=has_rule),
             w.bools(np.ones(m, bool)), w.ts(reg)],
        )  # fmt: skip
        self._qualifications(ids, reg, initial_part_id, part_id, requalify, t_requalified)
        self._status_changes(ids, reg, first_status, t1, term_ground, susp_ground, target,
                             has1, has2, t2, has3, third_status, t3, third_ground)  # fmt: skip
        self._extensions(ids, base_end, extensions)
        self._parties(ids, article, susp_ground, has1)
        self._linked_reports(ids, report_ids, reg, region, article)

    def _qualifications(self, ids, reg, initial, current, requalify, at) -> None:
        w = self.writer
        table, columns = Qualification._meta.db_table, [
            "case_id", "article_part_id", "qualified_at", "reason"]  # fmt: skip
        w.write(table, columns, [w.ints(ids), w.ints(initial), w.ts(reg), w.text("", len(ids))])
        k = int(requalify.sum())
        w.write(table, columns, [w.ints(ids[requalify]), w.ints(current[requalify]),
                                 w.ts(at[requalify]), w.text(REASON_REQUALIFIED, k)])  # fmt: skip
        self._count("qualifications", len(ids) + k)

    def _status_changes(self, ids, reg, first, t1, term_ground, susp_ground, target, has1,
                        has2, t2, has3, third, t3, third_ground) -> None:  # fmt: skip
        import numpy as np

        w, m = self.writer, len(ids)
        status = np.array([str(s) for s in STATUSES], dtype=object)
        reasons = np.array([REASON_RESUMED, REASON_COURT, REASON_TERMINATED, REASON_SUSPENDED,
                            REASON_JOINED], dtype=object)  # fmt: skip
        table = StatusChange._meta.db_table
        columns = ["case_id", "from_status", "to_status", "changed_at", "reason", "ground"]
        w.write(table, columns, [w.ints(ids), w.text("", m), w.text(str(STATUSES[INV]), m),
                                 w.ts(reg), w.text("", m), w.text("", m)])  # fmt: skip
        ground1 = np.where(first == TERM, term_ground, np.where(first == SUSP, susp_ground, ""))
        w.write(table, columns, [w.ints(ids[has1]), w.text(str(STATUSES[INV]), int(has1.sum())),
                                 status[first[has1]].tolist(), w.ts(t1[has1]),
                                 reasons[first[has1]].tolist(), ground1[has1].tolist()])  # fmt: skip
        w.write(table, columns, [w.ints(ids[has2]), status[first[has2]].tolist(),
                                 w.text(str(STATUSES[INV]), int(has2.sum())), w.ts(t2[has2]),
                                 w.text(REASON_RESUMED, int(has2.sum())),
                                 w.text("", int(has2.sum()))])  # fmt: skip
        w.write(table, columns, [w.ints(ids[has3]), w.text(str(STATUSES[INV]), int(has3.sum())),
                                 status[third[has3]].tolist(), w.ts(t3[has3]),
                                 reasons[third[has3]].tolist(),
                                 third_ground[has3].tolist()])  # fmt: skip
        self._count("status changes", m + int(has1.sum() + has2.sum() + has3.sum()))

    def _extensions(self, ids, base_end, count) -> None:
        import numpy as np

        rng, w = self.rng, self.writer
        total = int(count.sum())
        if not total:
            return
        case = np.repeat(np.arange(len(ids)), count)
        index = np.arange(total) - np.repeat(np.cumsum(count) - count, count)  # 0, 1, … per case
        previous = base_end[case] + index * EXTENSION_DAYS
        ahead = rng.integers(1, 6, total)
        wall = (previous - ahead) * DAY + rng.integers(9 * 3600, 18 * 3600, total)
        at = self.clock.to_utc(wall)
        w.write(
            TermExtension._meta.db_table,
            ["case_id", "amount", "unit", "previous_end", "new_end", "extended_at",
             "authorised_by", "reason"],
            [w.ints(ids[case]), w.ints(np.full(total, EXTENSION_DAYS)), w.text("days", total),
             w.date(previous), w.date(previous + EXTENSION_DAYS), w.ts(at),
             w.text(EXTENSION_BY, total), w.text(EXTENSION_REASON, total)],
        )  # fmt: skip
        self._count("term extensions", total)

    def _parties(self, ids, article, susp_ground, has1) -> None:
        import numpy as np

        rng, ref, w = self.rng, self.ref, self.writer
        m = len(ids)
        victims = np.where(ref.victimless[article], 0, 1 + (rng.random(m) < 0.10))
        unknown = has1 & (susp_ground == SuspensionGround.SUSPECT_UNKNOWN)
        suspects = np.where(unknown, 0, 1 + (rng.random(m) < 0.15))
        columns = ["case_id", "role", "sex", "age_band", "is_minor", "relationship",
                   "consent_further_use"]  # fmt: skip
        minors = np.array([str(AgeBand.UNDER_14), str(AgeBand.AGE_14_17)], dtype=object)
        # victims
        case = np.repeat(np.arange(m), victims)
        k = len(case)
        female = rng.random(k) < ref.female[article[case]]
        sex = np.where(female, str(Sex.FEMALE), str(Sex.MALE)).astype(object)
        sex[rng.random(k) < 0.02] = str(Sex.UNKNOWN)
        age = _pick(rng, VICTIM_AGE, k)
        w.write(Party._meta.db_table, columns,
                [w.ints(ids[case]), w.text(str(PartyRole.VICTIM), k), sex.tolist(), age.tolist(),
                 w.bools(np.isin(age, minors)), w.text("", k),
                 w.nullable_bool(_pick(rng, CONSENT, k))])  # fmt: skip
        # suspects
        case = np.repeat(np.arange(m), suspects)
        s = len(case)
        age = _pick(rng, SUSPECT_AGE, s)
        personal = ref.personal[article[case]]
        relationship = np.where(personal, _pick(rng, RELATIONSHIP_PERSONAL, s),
                                _pick(rng, RELATIONSHIP_OTHER, s))  # fmt: skip
        w.write(Party._meta.db_table, columns,
                [w.ints(ids[case]), w.text(str(PartyRole.SUSPECT), s),
                 _pick(rng, SUSPECT_SEX, s).tolist(), age.tolist(), w.bools(np.isin(age, minors)),
                 relationship.tolist(), w.nullable_bool(np.full(s, "", dtype=object))])  # fmt: skip
        self._count("parties", k + s)

    def _report_columns(self) -> list[str]:
        return ["id", "received_at", "channel", "receiving_body_id", "region_id",
                "suggested_article_id", "summary", "decision", "decided_at", "decision_note",
                "is_demo", "created_at"]  # fmt: skip

    def _summaries(self, article: np.ndarray) -> list:
        import numpy as np

        rng = self.rng
        texts = np.array([list(v) for v in SUMMARIES.values()], dtype=object)
        return texts[self.ref.summary_group[article], rng.integers(0, 2, len(article))].tolist()

    def _linked_reports(self, ids, report_ids, reg, region, article) -> None:
        """The report each case was opened on (the cases with a report id): received hours
        before, registered as the case when it was registered."""
        import numpy as np

        rng, ref, w = self.rng, self.ref, self.writer
        k = len(report_ids)
        if not k:
            return
        ids, reg, region, article = ids[:k], reg[:k], region[:k], article[:k]
        late = rng.random(k) < 0.05
        delay = np.where(late, rng.integers(25 * 3600, 72 * 3600, k),
                         rng.integers(1800, 20 * 3600, k))  # fmt: skip
        received = np.maximum(reg - delay, np.minimum(ref.in_force_ts[article], reg))
        article_ids = np.array([a.pk for a in ref.articles], dtype=np.int64)[article]
        region_ids = np.array([r.pk for r in ref.regions], dtype=np.int64)[region]
        channels = _pick(rng, CHANNELS, k)
        w.write(Report._meta.db_table, self._report_columns(),
                [w.ints(report_ids), w.ts(received), channels.tolist(), w.ints(ref.bodies[region]),
                 w.ints(region_ids), w.ints(article_ids), self._summaries(article),
                 w.text(str(Decision.REGISTERED), k), w.ts(reg), w.text("", k),
                 w.bools(np.ones(k, bool)), w.ts(received)])  # fmt: skip
        through = Case.reports.through._meta.db_table
        w.write(through, ["case_id", "report_id"], [w.ints(ids), w.ints(report_ids)])
        self._count("case-report links", k)

    def _other_reports(self, size: int) -> None:
        """Reports that did not open a case: refused or sent elsewhere; the few received in
        the last day still wait for a decision."""
        import numpy as np

        rng, ref, w = self.rng, self.ref, self.writer
        _day, received = self._moments(size, 15.0, 4.5)
        recent = rng.random(size) < PENDING_SHARE
        received[recent] = self.now_ts - rng.integers(1800, 20 * 3600, int(recent.sum()))
        article = self._articles(self.clock.local_day(received))
        named = rng.random(size) < 0.85
        region = rng.choice(len(ref.regions), size=size, p=ref.region_p)
        late = rng.random(size) < 0.07
        decided = received + np.where(late, rng.integers(25 * 3600, 96 * 3600, size),
                                      rng.integers(3600, 22 * 3600, size))  # fmt: skip
        decision = _pick(rng, OTHER_DECISIONS, size)
        pending = recent | (decided >= self.now_ts)
        decision[pending] = str(Decision.PENDING)
        notes = np.array(SENT_ELSEWHERE_NOTES, dtype=object)[rng.integers(0, 2, size)]
        note = np.where(decision == str(Decision.SENT_ELSEWHERE), notes, "")
        article_ids = np.array([a.pk for a in ref.articles], dtype=np.int64)[article]
        region_ids = np.array([r.pk for r in ref.regions], dtype=np.int64)[region]
        w.write(Report._meta.db_table, self._report_columns()[1:],
                [w.ts(received),
                 _pick(rng, CHANNELS, size).tolist(), w.ints(ref.bodies[region]),
                 w.ints(region_ids), w.ints(article_ids, present=named), self._summaries(article),
                 decision.tolist(), w.ts(np.where(pending, received, decided), present=~pending),
                 note.tolist(), w.bools(np.ones(size, bool)), w.ts(received)])  # fmt: skip
        self._count("pending reports", int(pending.sum()))

    def _counters(self, last: dict[tuple[int, int], int]) -> None:
        """Each (region, year) counter set to the last number given, so the next registration
        through the service continues the sequence."""
        regions = self.ref.regions
        CaseNumberSequence.objects.bulk_create(
            [
                CaseNumberSequence(region=regions[r], year=year, last_value=value)
                for (r, year), value in sorted(last.items())
            ],
            update_conflicts=True,
            unique_fields=["region", "year"],
            update_fields=["last_value"],
        )

    def _count(self, name: str, value: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + value


# --- Bulk-load housekeeping on PostgreSQL ---------------------------------------------------

TABLES = (
    Case._meta.db_table,
    Case.reports.through._meta.db_table,
    Report._meta.db_table,
    Qualification._meta.db_table,
    StatusChange._meta.db_table,
    TermExtension._meta.db_table,
    Party._meta.db_table,
)


def _deferred_definitions(cursor) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The plain (non-unique, not a constraint's) indexes and the foreign keys of the loaded
    tables, as (name, definition) and (table, name, definition)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
          AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [list(TABLES)],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE c.contype = 'f' AND t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
        """,
        [list(TABLES)],
    )
    return indexes, cursor.fetchall()


def _stats_triggers(cursor) -> list[tuple[str, str]]:
    """The enabled triggers that keep the statistics' aggregates (``stats.aggregates``) on the
    loaded tables, as (table, trigger)."""
    cursor.execute(
        "SELECT t.relname, g.tgname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
        "WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' AND g.tgname LIKE 'qorgau_stats_%%' "
        "AND t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace",
        [list(TABLES)],
    )
    return cursor.fetchall()


def _owns_tables(cursor) -> bool:
    """Whether the connected role owns the loaded tables (may drop and build their indexes)."""
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
        "WHERE relname = ANY(%s) AND relnamespace = 'public'::regnamespace",
        [list(TABLES)],
    )
    return bool(cursor.fetchone()[0])


def reserve_ids(model, count: int) -> np.ndarray:
    """``count`` ids of ``model``'s table taken from its id sequence (PostgreSQL), so that the
    rows written with them never meet an id a later insert takes; on SQLite, the ids after the
    largest used (AUTOINCREMENT keeps later ones above them)."""
    import numpy as np

    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (our name)
            first = cursor.fetchone()[0] + 1
            return np.arange(first, first + count, dtype=np.int64)
        sequence = f"nextval(pg_get_serial_sequence('{table}', 'id'))"
        cursor.execute(
            f"SELECT min(v), max(v) FROM (SELECT {sequence} AS v "  # noqa: S608 (our names)
            "FROM generate_series(1, %s)) taken",
            [count],
        )
        low, high = cursor.fetchone()
        if not count or high - low + 1 == count:
            return np.arange(low or 0, (low or 0) + count, dtype=np.int64)
        # Another session took ids meanwhile: take a fresh series and read every id.
        cursor.execute(
            f"SELECT {sequence} FROM generate_series(1, %s)",  # noqa: S608 (our names)
            [count],
        )
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


# --- Entry point -----------------------------------------------------------------------------


def load_articles() -> int:
    """Load the other Criminal Code articles (``criminal_code_articles.json``); returns how
    many articles the file has."""
    return loaders.load_offences(Law, Article, ArticlePart, loaders.CRIMINAL_CODE_PATH)


def synthesise(
    plan: Plan,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[str, int, int], None] = _quiet,
    defer_indexes: bool = True,
) -> dict[str, int]:
    """Generate ``plan`` into the registry, all or nothing; returns the counts written.

    The registry must hold no case and no report (the numbers start at 1 in every sequence).
    Ids come from the tables' own sequences. On PostgreSQL, with ``defer_indexes`` and when the
    connected role owns the tables (as ``qorgau migrate``'s does), the plain indexes and foreign
    keys of the loaded tables are dropped and built again after the load inside the same
    transaction: a failure rolls back to the indexes as they were; other sessions wait on these
    tables meanwhile."""
    if plan.cases < 0 or plan.report_count < 0:
        raise Invalid(None, _("The counts cannot be negative."))
    if Case.objects.exists() or Report.objects.exists():
        raise Conflict(_("The registry already holds cases or reports: synth fills an empty one."))
    now = now or timezone.now()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        synth = Synth(plan, now, progress)
        with connection.cursor() as cursor:
            indexes: list = []
            keys: list = []
            triggers: list = []
            if postgres:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                cursor.execute("SET LOCAL synchronous_commit = off")
                if defer_indexes and _owns_tables(cursor):
                    # A table with pending deferred checks cannot be altered: run them now
                    # (then the foreign keys are deferred again, as Django declares them).
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    # The statistics' triggers would aggregate every COPY statement against
                    # tables without their indexes: off for the load, the aggregates rebuilt
                    # from the base tables after it (stats.aggregates.rebuild), in this
                    # transaction.
                    triggers = _stats_triggers(cursor)
                    for table, name in triggers:
                        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
                    indexes, keys = _deferred_definitions(cursor)
                    for table, name, _definition in keys:
                        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    for name, _definition in indexes:
                        cursor.execute(f'DROP INDEX "{name}"')
            counts = synth.run()
            for done, (_name, definition) in enumerate(indexes, 1):
                cursor.execute(definition)
                progress(_("indexes"), done, len(indexes) + len(keys))
            for done, (table, name, definition) in enumerate(keys, len(indexes) + 1):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                progress(_("indexes"), done, len(indexes) + len(keys))
            for table, name in triggers:
                cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
            if triggers:
                progress(_("statistics aggregates"), 0, 1)
                aggregates.rebuild()
                progress(_("statistics aggregates"), 1, 1)
    with connection.cursor() as cursor:
        progress(_("statistics of the tables"), 0, 1)
        if postgres:
            cursor.execute("ANALYZE " + ", ".join(TABLES))
        else:
            cursor.execute("ANALYZE")
        progress(_("statistics of the tables"), 1, 1)
    return counts
