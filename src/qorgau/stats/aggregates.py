"""The statistics' aggregate tables (``stats.models``): how each is computed from the registry's
tables, the triggers that keep them exact, :func:`rebuild` and :func:`verify`.

One definition of each aggregate, as SQL over a set of rows of the base tables with a sign
(+1 a row as it is now, −1 as it was), serves all three uses:

- :func:`rebuild` and :func:`verify` run it over every row;
- on PostgreSQL, statement-level AFTER triggers run it over the statement's transition tables
  (``REFERENCING NEW TABLE … OLD TABLE …``): one grouped ``INSERT … ON CONFLICT DO UPDATE``
  per statement, so a ``COPY`` of a million rows costs one grouped upsert, not a million;
  the keys are written in sorted order, so that concurrent writers lock them in the same order;
- on SQLite, row-level triggers subtract the touched case's contribution before the write
  (BEFORE) and add it back after (AFTER). SQLite has one writer at a time.

The local day is Asia/Almaty's: UTC+6 until 2024-03-01 00:00 local (2024-02-29 18:00 UTC), UTC+5
since — written as a CASE on the UTC instant in SQL and in :func:`day_start`, the same rule in
both places (earlier summer times, before 2005, are not modelled: no case here is that old).
"""

# Every SQL text here is built from this module's own constants (table and column names), never
# from a request: S608 (SQL built from strings) does not apply.
# ruff: noqa: S608

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

# The instant Kazakhstan moved from UTC+6 to UTC+5 (2024-03-01 00:00 at UTC+6).
OFFSET_CHANGE = dt.datetime(2024, 2, 29, 18, tzinfo=dt.UTC)
OFFSET_CHANGE_DAY = dt.date(2024, 3, 1)  # the first local day at UTC+5


def day_start(day: dt.date) -> dt.datetime:
    """The UTC instant of local midnight at the beginning of ``day`` (Asia/Almaty): a
    local-date filter becomes ``column >= day_start(first)`` and ``< day_start(last + 1)``,
    a range on the indexed column (the day 2024-02-29 has 25 hours)."""
    hours = 5 if day >= OFFSET_CHANGE_DAY else 6
    return dt.datetime.combine(day, dt.time(), dt.UTC) - dt.timedelta(hours=hours)


def local_day(column: str, vendor: str) -> str:
    """SQL for the local day of a stored UTC instant ``column``."""
    if vendor == "postgresql":
        return (
            f"(({column} AT TIME ZONE 'UTC') + CASE WHEN {column} >= "
            f"TIMESTAMPTZ '2024-02-29 18:00:00+00' THEN INTERVAL '5 hours' "
            f"ELSE INTERVAL '6 hours' END)::date"
        )
    # SQLite: Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC, which compares as text.
    return (
        f"date({column}, CASE WHEN {column} >= '2024-02-29 18:00:00' "
        f"THEN '+5 hours' ELSE '+6 hours' END)"
    )


def period_start(day: str, period: str, vendor: str) -> str:
    """SQL for the first day of the week (Monday) or month of the date ``day``."""
    if period == "day":
        return day
    if vendor == "postgresql":
        return f"date_trunc('{period}', ({day})::timestamp)::date"
    if period == "month":
        return f"date({day}, 'start of month')"
    return f"date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"


@dataclass(frozen=True)
class Grain:
    """A level at which an aggregate keeps its rows: ``code`` (the ``grain`` column), the
    ``period`` its ``day`` starts (day, week, month), whether it keeps the article
    (``per_article``; else ``article_id`` is 0: every article) and the aggregate's other
    dimensions (``dims``; else they are "")."""

    code: str
    period: str
    per_article: bool = True
    dims: bool = True


# Per article: by day and by month; over all articles: by day and by month (and, for the cases,
# by week and by month without status: the series and the counts that do not break down by it).
GRAINS = (
    Grain("d", "day"),
    Grain("m", "month"),
    Grain("D", "day", per_article=False),
    Grain("M", "month", per_article=False),
)


@dataclass(frozen=True)
class Aggregate:
    """An aggregate table: its key columns (after ``grain``), its counted columns, the key
    columns a grain without ``dims`` leaves blank, and its grains."""

    table: str
    key: tuple[str, ...]
    counts: tuple[str, ...]
    dims: tuple[str, ...] = ()
    grains: tuple[Grain, ...] = GRAINS

    @property
    def columns(self) -> tuple[str, ...]:
        """The unique key: the grain, then the key."""
        return ("grain", *self.key)


CASES = Aggregate(
    "stats_casecount",
    ("article_id", "day", "region_id", "status", "termination_ground"),
    ("n",),
    dims=("status", "termination_ground"),
    grains=(
        *GRAINS,
        Grain("W", "week", per_article=False, dims=False),
        # Months without status, for every count that does not break down by it.
        Grain("A", "month", dims=False),
        Grain("T", "month", per_article=False, dims=False),
    ),
)
PARTIES = Aggregate(
    "stats_partycount",
    ("article_id", "dim", "value", "day", "region_id", "body_id"),
    ("cases", "parties"),
)
REPORTS = Aggregate(
    "stats_reportcount",
    ("article_id", "day", "region_id", "channel", "decision", "body_id"),
    ("n",),
)
AGGREGATES = (CASES, PARTIES, REPORTS)

CASE_COLUMNS = (
    "id, registered_at, region_id, investigating_body_id, article_part_id, status, "
    "termination_ground"
)
PARTY_COLUMNS = "id, case_id, role, sex, age_band, relationship"
REPORT_COLUMNS = (
    "id, received_at, region_id, suggested_article_id, channel, decision, receiving_body_id"
)


def case_rows(signed: str, vendor: str) -> str:
    """The case aggregate's rows (``sign`` and the key) of ``signed``: rows of the case table
    with a ``sign`` column."""
    return (
        f"SELECT c.sign AS sign, {local_day('c.registered_at', vendor)} AS day, "
        "c.region_id AS region_id, ap.article_id AS article_id, c.status AS status, "
        "c.termination_ground AS termination_ground "
        f"FROM {signed} c JOIN reference_articlepart ap ON ap.id = c.article_part_id"
    )


def report_rows(signed: str, vendor: str) -> str:
    return (
        f"SELECT r.sign AS sign, {local_day('r.received_at', vendor)} AS day, "
        "r.region_id AS region_id, COALESCE(r.suggested_article_id, 0) AS article_id, "
        "r.channel AS channel, r.decision AS decision, r.receiving_body_id AS body_id "
        f"FROM {signed} r"
    )


def party_source(signed_cases: str, parties: str, vendor: str) -> str:
    """One row per (case state, party) — a case without parties once, with NULL party
    columns: ``sign``, the case's id and key, the party's columns."""
    return (
        f"SELECT c.sign AS sign, c.id AS case_id, {local_day('c.registered_at', vendor)} AS day, "
        "c.region_id AS region_id, ap.article_id AS article_id, "
        "COALESCE(c.investigating_body_id, 0) AS body_id, p.id AS party_id, p.role AS role, "
        "p.sex AS sex, p.age_band AS age_band, p.relationship AS relationship "
        f"FROM {signed_cases} c JOIN reference_articlepart ap ON ap.id = c.article_part_id "
        f"LEFT JOIN {parties} p ON p.case_id = c.id"
    )


def party_facts(src: str) -> str:
    """The party aggregate's rows (``sign``, key, ``cases``, ``parties``) of ``src`` (a
    relation or a parenthesised query shaped as :func:`party_source`), one per case state
    and fact (``stats.models.PartyCount``)."""
    case = "sign, case_id, day, region_id, article_id, body_id"
    cols = "sign, day, region_id, article_id, body_id"
    # The first victim (lowest id) and whether their sex or age band is unknown, in one MIN:
    # id * 2 + flag sorts by id, and the flag is the lowest bit.
    first_victim = (
        "MIN(CASE WHEN role = 'victim' THEN party_id * 2 + CASE WHEN sex = 'U' "
        "OR age_band = 'unknown' THEN 1 ELSE 0 END END)"
    )
    parts = [
        f"SELECT {cols}, 'case' AS dim, '' AS value, 1 AS cases, 0 AS parties "
        f"FROM {src} s GROUP BY {case}",
        f"SELECT {cols}, 'victim', '', 1, COUNT(*) FROM {src} s WHERE role = 'victim' "
        f"GROUP BY {case}",
        f"SELECT {cols}, 'suspect', '', 1, COUNT(*) FROM {src} s WHERE role = 'suspect' "
        f"GROUP BY {case}",
        f"SELECT {cols}, 'victim_sex', sex, 1, COUNT(*) FROM {src} s WHERE role = 'victim' "
        f"GROUP BY {case}, sex",
        f"SELECT {cols}, 'victim_age_band', age_band, 1, COUNT(*) FROM {src} s "
        f"WHERE role = 'victim' GROUP BY {case}, age_band",
        f"SELECT {cols}, 'relationship', relationship, 1, COUNT(*) FROM {src} s "
        f"WHERE role = 'suspect' GROUP BY {case}, relationship",
        f"SELECT {cols}, 'unknown_victim', '', 1, 0 FROM {src} s GROUP BY {case} "
        f"HAVING COALESCE({first_victim} % 2, 1) = 1",
    ]
    return " UNION ALL ".join(parts)


def grouped(aggregate: Aggregate, rows: str, vendor: str) -> str:
    """``rows`` (``sign``, key, counts — or no counts: one each) at every grain of the
    aggregate, summed per grain and key, the keys whose sums are all 0 left out, in key
    order."""
    grains = " UNION ALL ".join(
        f"SELECT '{g.code}' AS grain, '{g.period}' AS period, {int(g.per_article)} AS per_article, "
        f"{int(g.dims)} AS dims"
        for g in aggregate.grains
    )
    day = (
        "CASE g.period WHEN 'day' THEN r.day WHEN 'week' THEN "
        f"{period_start('r.day', 'week', vendor)} ELSE {period_start('r.day', 'month', vendor)} END"
    )
    columns = []
    for c in aggregate.key:
        if c == "day":
            columns.append(f"{day} AS day")
        elif c == "article_id":
            columns.append("CASE WHEN g.per_article = 1 THEN r.article_id ELSE 0 END AS article_id")
        elif c in aggregate.dims:
            columns.append(f"CASE WHEN g.dims = 1 THEN r.{c} ELSE '' END AS {c}")
        else:
            columns.append(f"r.{c} AS {c}")
    counted = "".join(f", r.{c} AS {c}" for c in aggregate.counts if c != "n")
    rows = (
        f"SELECT g.grain AS grain, {', '.join(columns)}, r.sign AS sign{counted} "
        f"FROM ({rows}) r CROSS JOIN ({grains}) g"
    )
    key = ", ".join(aggregate.columns)
    if aggregate.counts == ("n",):
        sums = "SUM(sign) AS n"
        nonzero = "SUM(sign) <> 0"
    else:
        sums = ", ".join(f"SUM(sign * {c}) AS {c}" for c in aggregate.counts)
        nonzero = " OR ".join(f"SUM(sign * {c}) <> 0" for c in aggregate.counts)
    return f"SELECT {key}, {sums} FROM ({rows}) g GROUP BY {key} HAVING {nonzero} ORDER BY {key}"


def upsert(aggregate: Aggregate, select: str) -> str:
    """Add the rows of ``select`` (key, counts) to the table."""
    key = ", ".join(aggregate.columns)
    counts = ", ".join(aggregate.counts)
    add = ", ".join(f"{c} = {aggregate.table}.{c} + excluded.{c}" for c in aggregate.counts)
    # "WHERE true": SQLite's parser needs it between a SELECT and ON CONFLICT.
    return (
        f"INSERT INTO {aggregate.table} ({key}, {counts}) SELECT * FROM ({select}) u WHERE true "
        f"ON CONFLICT ({key}) DO UPDATE SET {add}"
    )


def full(aggregate: Aggregate, vendor: str) -> str:
    """The aggregate computed from every row of the base tables (key, counts)."""
    if aggregate is CASES:
        return grouped(
            CASES,
            case_rows(f"(SELECT 1 AS sign, {CASE_COLUMNS} FROM registry_case)", vendor),
            vendor,
        )
    if aggregate is REPORTS:
        return grouped(
            REPORTS,
            report_rows(f"(SELECT 1 AS sign, {REPORT_COLUMNS} FROM registry_report)", vendor),
            vendor,
        )
    src = party_source(
        f"(SELECT 1 AS sign, {CASE_COLUMNS} FROM registry_case)", "registry_party", vendor
    )
    return grouped(PARTIES, party_facts(f"({src})"), vendor)


def fill(schema_editor) -> None:
    """Compute every aggregate from the base tables into its empty table (a migration's step)."""
    vendor = schema_editor.connection.vendor
    for aggregate in AGGREGATES:
        columns = ", ".join((*aggregate.columns, *aggregate.counts))
        schema_editor.execute(
            f"INSERT INTO {aggregate.table} ({columns}) {full(aggregate, vendor)}", params=None
        )


# --- PostgreSQL: statement-level triggers with transition tables -------------------------------


def _signed(table_columns: str, new: bool, old: bool) -> str:
    parts = []
    if new:
        parts.append(f"SELECT 1 AS sign, {table_columns} FROM new_rows")
    if old:
        parts.append(f"SELECT -1 AS sign, {table_columns} FROM old_rows")
    return "(" + " UNION ALL ".join(parts) + ")"


def _pg_case_body(new: bool, old: bool) -> str:
    v = "postgresql"
    signed = _signed(CASE_COLUMNS, new, old)
    src = party_source(signed, "registry_party", v)
    return (
        upsert(CASES, grouped(CASES, case_rows(signed, v), v))
        + ";\n"
        + f"WITH src AS MATERIALIZED ({src}) "
        + upsert(PARTIES, grouped(PARTIES, party_facts("src"), v))
        + ";\n"
    )


def _pg_party_body(new: bool, old: bool) -> str:
    v = "postgresql"
    touched = " UNION ".join(
        [f"SELECT case_id FROM {t}" for t, on in (("new_rows", new), ("old_rows", old)) if on]
    )
    now = (
        f"SELECT {PARTY_COLUMNS} FROM registry_party WHERE case_id IN (SELECT case_id FROM touched)"
    )
    before = f"SELECT {PARTY_COLUMNS} FROM now_p"
    if new:
        before += " WHERE id NOT IN (SELECT id FROM new_rows)"
    if old:
        before += f" UNION ALL SELECT {PARTY_COLUMNS} FROM old_rows"
    cases = f"SELECT {CASE_COLUMNS} FROM registry_case WHERE id IN (SELECT case_id FROM touched)"
    src = (
        party_source("(SELECT 1 AS sign, * FROM cs)", "now_p", v)
        + " UNION ALL "
        + party_source("(SELECT -1 AS sign, * FROM cs)", "before_p", v)
    )
    # Lock the cases first (in id order): a concurrent writer of the same case's parties waits,
    # and then counts with a snapshot that sees this one's parties.
    lock = f"PERFORM 1 FROM registry_case WHERE id IN ({touched}) ORDER BY id FOR NO KEY UPDATE;\n"
    return lock + (
        f"WITH touched AS ({touched}), now_p AS MATERIALIZED ({now}), before_p AS ({before}), "
        f"cs AS ({cases}), src AS MATERIALIZED ({src}) "
        + upsert(PARTIES, grouped(PARTIES, party_facts("src"), v))
        + ";\n"
    )


def _pg_report_body(new: bool, old: bool) -> str:
    signed = _signed(REPORT_COLUMNS, new, old)
    return (
        upsert(REPORTS, grouped(REPORTS, report_rows(signed, "postgresql"), "postgresql")) + ";\n"
    )


PG_TRIGGERED = {
    "registry_case": ("case", _pg_case_body),
    "registry_party": ("party", _pg_party_body),
    "registry_report": ("report", _pg_report_body),
}
PG_OPS = {"INSERT": (True, False), "UPDATE": (True, True), "DELETE": (False, True)}


def postgresql_triggers() -> list[str]:
    """The statements that create the PostgreSQL triggers (one function and trigger per table
    and operation: a transition table exists only for the operations that have it)."""
    statements = []
    for table, (name, body) in PG_TRIGGERED.items():
        for op, (new, old) in PG_OPS.items():
            function = f"qorgau_stats_{name}_{op.lower()}"
            referencing = " ".join(
                part
                for part, on in (("NEW TABLE AS new_rows", new), ("OLD TABLE AS old_rows", old))
                if on
            )
            statements.append(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\nBEGIN\n"
                f"{body(new, old)}RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql"
            )
            statements.append(
                f"CREATE TRIGGER {function} AFTER {op} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


def postgresql_drop() -> list[str]:
    statements = []
    for table, (name, _body) in PG_TRIGGERED.items():
        for op in PG_OPS:
            function = f"qorgau_stats_{name}_{op.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {function} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {function}()")
    return statements


# --- SQLite: row-level triggers, the contribution taken out before and put back after ---------


def _sqlite_contribution(sign: int, case_ids: str) -> list[str]:
    """Add ``sign`` × the current contribution of the cases ``case_ids`` (an SQL list) to the
    case and party aggregates."""
    v = "sqlite"
    signed = f"(SELECT {sign} AS sign, {CASE_COLUMNS} FROM registry_case WHERE id IN ({case_ids}))"
    src = party_source(signed, "registry_party", v)
    return [
        upsert(CASES, grouped(CASES, case_rows(signed, v), v)),
        upsert(PARTIES, grouped(PARTIES, party_facts(f"({src})"), v)),
    ]


def _sqlite_report(sign: int, row: str) -> list[str]:
    signed = f"(SELECT {sign} AS sign, {REPORT_COLUMNS} FROM registry_report WHERE id = {row}.id)"
    return [upsert(REPORTS, grouped(REPORTS, report_rows(signed, "sqlite"), "sqlite"))]


def sqlite_triggers() -> list[str]:
    """The statements that create the SQLite triggers."""
    specs: list[tuple[str, str, str, list[str]]] = []
    for when, sign in (("BEFORE", -1), ("AFTER", 1)):
        # Cases: an inserted case has no contribution before; a deleted one none after.
        if when == "AFTER":
            specs.append((when, "INSERT", "registry_case", _sqlite_contribution(sign, "NEW.id")))
        else:
            specs.append((when, "DELETE", "registry_case", _sqlite_contribution(sign, "OLD.id")))
        specs.append(
            (when, "UPDATE", "registry_case", _sqlite_contribution(sign, "OLD.id, NEW.id"))
        )
        row = "NEW" if when == "AFTER" else "OLD"
        for op in ("INSERT", "DELETE"):
            party_row = "NEW" if op == "INSERT" else "OLD"
            specs.append(
                (when, op, "registry_party", _sqlite_contribution(sign, f"{party_row}.case_id"))
            )
        specs.append(
            (
                when,
                "UPDATE",
                "registry_party",
                _sqlite_contribution(sign, "OLD.case_id, NEW.case_id"),
            )
        )
        specs.append((when, "UPDATE", "registry_report", _sqlite_report(sign, row)))
        if when == "AFTER":
            specs.append((when, "INSERT", "registry_report", _sqlite_report(sign, "NEW")))
        else:
            specs.append((when, "DELETE", "registry_report", _sqlite_report(sign, "OLD")))
    statements = []
    for when, op, table, body in specs:
        name = f"qorgau_stats_{table.split('_')[1]}_{when.lower()}_{op.lower()}"
        statements.append(
            f"CREATE TRIGGER {name} {when} {op} ON {table} FOR EACH ROW BEGIN\n"
            + ";\n".join(body)
            + ";\nEND"
        )
    return statements


def sqlite_drop() -> list[str]:
    names = []
    for table in ("case", "party", "report"):
        for when in ("before", "after"):
            for op in ("insert", "update", "delete"):
                names.append(f"DROP TRIGGER IF EXISTS qorgau_stats_{table}_{when}_{op}")
    return names


def create_triggers(schema_editor) -> None:
    """Create the triggers (a migration's forward step)."""
    vendor = schema_editor.connection.vendor
    for statement in postgresql_triggers() if vendor == "postgresql" else sqlite_triggers():
        schema_editor.execute(statement, params=None)


def drop_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in postgresql_drop() if vendor == "postgresql" else sqlite_drop():
        schema_editor.execute(statement, params=None)


# --- Rebuild and verify ---------------------------------------------------------------------


def rebuild() -> None:
    """Recompute every aggregate from the base tables (after a bulk load with triggers off,
    or to repair). In one transaction; on PostgreSQL the base tables are locked against writes
    meanwhile, so no write is counted twice or lost."""
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "LOCK TABLE registry_case, registry_party, registry_report IN SHARE MODE"
            )
        for aggregate in AGGREGATES:
            cursor.execute(f"DELETE FROM {aggregate.table}")
            columns = ", ".join((*aggregate.columns, *aggregate.counts))
            cursor.execute(f"INSERT INTO {aggregate.table} ({columns}) {full(aggregate, vendor)}")


@dataclass(frozen=True)
class Difference:
    """A key whose stored counts differ from the counts recomputed from the base tables."""

    table: str
    key: tuple
    expected: tuple
    actual: tuple


def verify() -> list[Difference]:
    """Every key of every aggregate whose stored counts (rows with all counts 0 are as good as
    absent) differ from the base tables'. In one snapshot on PostgreSQL (REPEATABLE READ,
    read-only), so that writes going on meanwhile cannot show as differences."""
    vendor = connection.vendor
    differences = []
    # Inside a caller's transaction (a test) its snapshot is the caller's business.
    own_snapshot = vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_snapshot:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for aggregate in AGGREGATES:
            key = ", ".join(aggregate.columns)
            columns = ", ".join((*aggregate.columns, *aggregate.counts))
            nonzero = " OR ".join(f"{c} <> 0" for c in aggregate.counts)
            stored = f"SELECT {columns} FROM {aggregate.table} WHERE {nonzero}"
            expected = full(aggregate, vendor)
            found: dict[tuple, dict[str, tuple]] = {}
            width = len(aggregate.columns)
            for side, first, second in (
                ("expected", expected, stored),
                ("actual", stored, expected),
            ):
                cursor.execute(
                    f"SELECT * FROM ({first}) a EXCEPT SELECT * FROM ({second}) b ORDER BY {key}"
                    if vendor == "postgresql"
                    else f"SELECT * FROM ({first}) EXCEPT SELECT * FROM ({second})"
                )
                for row in cursor.fetchall():
                    # A day comes back as a date or (SQLite, computed) as its ISO text.
                    k = tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row[:width])
                    found.setdefault(k, {})[side] = tuple(int(v) for v in row[width:])
            zero = tuple(0 for _c in aggregate.counts)
            for k in sorted(found, key=lambda k: tuple(str(x) for x in k)):
                sides = found[k]
                differences.append(
                    Difference(
                        aggregate.table,
                        k,
                        sides.get("expected", zero),
                        sides.get("actual", zero),
                    )
                )
    return differences
