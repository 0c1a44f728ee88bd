"""Load the reference data files into the database.

The functions take the model classes as arguments so that migrations can pass their historical
models (``apps.get_model``) and the management commands the current ones. Each loader is an
upsert: running it again with the same file changes nothing.
"""

import csv
import datetime as dt
import json
from pathlib import Path

from django.utils.translation import gettext as _

from qorgau.core.importing import ImportRejected, RowError, read_csv_text, require_columns

DATA_DIR = Path(__file__).resolve().parent / "data"
# The other articles of the Criminal Code (a national set, for ``qorgau synth`` and a national
# deployment): loaded only when asked (``load-reference --all-articles``), so that a register of
# the watched articles (115-1, 125-1) does not list fifty more on its pages.
CRIMINAL_CODE_PATH = DATA_DIR / "criminal_code_articles.json"
POPULATION_COLUMNS = ["region", "reference_date", "population", "precision", "source"]


def _known(model, fields: dict) -> dict:
    """Only the keys that are fields of ``model``: a migration runs with the model as it was
    then, while the data file may already carry fields added later."""
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in fields.items() if k in names}


def load_regions(Region, path: Path = DATA_DIR / "regions.csv") -> int:
    """Create or update the regions listed in ``regions.csv``; returns how many rows were read."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        code = row.pop("code")
        row["order"] = int(row["order"])
        Region.objects.update_or_create(code=code, defaults=_known(Region, row))
    return len(rows)


def parse_population(data: bytes | str, region_codes: set[str]) -> list[dict]:
    """Validate a population table (CSV with the columns of ``population.csv``).

    Returns clean rows or raises ImportRejected listing every bad cell.
    """
    header, rows = read_csv_text(data)
    errors = require_columns(header, POPULATION_COLUMNS)
    if errors:
        raise ImportRejected(errors)
    clean, seen = [], set()
    for number, row in enumerate(rows, start=2):
        row_errors = []
        code = (row.get("region") or "").strip()
        if code not in region_codes:
            row_errors.append(RowError(number, "region", code, _("unknown region code")))
        raw_date = (row.get("reference_date") or "").strip()
        try:
            ref_date = dt.date.fromisoformat(raw_date)
        except ValueError:
            ref_date = None
            row_errors.append(
                RowError(number, "reference_date", raw_date, _("expected a date as YYYY-MM-DD"))
            )
        raw_pop = (row.get("population") or "").strip()
        population = int(raw_pop) if raw_pop.isdigit() else None
        if not population:
            row_errors.append(
                RowError(number, "population", raw_pop, _("expected a positive whole number"))
            )
        for column in ("precision", "source"):
            if not (row.get(column) or "").strip():
                row_errors.append(RowError(number, column, "", _("must not be empty")))
        if (code, ref_date) in seen:
            row_errors.append(
                RowError(number, "reference_date", raw_date, _("this region and date appear twice"))
            )
        seen.add((code, ref_date))
        if row_errors:
            errors.extend(row_errors)
            continue
        clean.append(
            {
                "region": code,
                "reference_date": ref_date,
                "population": population,
                "precision": row["precision"].strip(),
                "source": row["source"].strip(),
            }
        )
    if errors:
        raise ImportRejected(errors)
    return clean


def load_population(Region, PopulationFigure, data: bytes | str) -> int:
    """Create or replace the population figures of a table; returns the number of rows.

    Figures of other dates stay: a newer table adds newer figures, and a rate always uses the
    latest figure dated on or before the end of its period.
    """
    regions = {r.code: r for r in Region.objects.all()}
    rows = parse_population(data, set(regions))
    for row in rows:
        region = regions[row.pop("region")]
        PopulationFigure.objects.update_or_create(
            region=region, reference_date=row.pop("reference_date"), defaults=row
        )
    return len(rows)


def load_offences(Law, Article, ArticlePart, path: Path = DATA_DIR / "offences.json") -> int:
    """Create or update the laws, articles and parts of ``offences.json``; returns articles read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    laws = {}
    for law in data["laws"]:
        fields = dict(law)
        number = fields.pop("number")
        fields["signed_on"] = dt.date.fromisoformat(fields.pop("signed_on"))
        fields["in_force_on"] = dt.date.fromisoformat(fields.pop("in_force_on"))
        laws[number], _created = Law.objects.update_or_create(
            number=number, defaults=_known(Law, fields)
        )
    for article in data["articles"]:
        fields = dict(article)
        code = fields.pop("code")
        parts = fields.pop("parts")
        fields["law"] = laws[fields.pop("law")]
        fields["in_force_on"] = dt.date.fromisoformat(fields.pop("in_force_on"))
        obj, _created = Article.objects.update_or_create(
            code=code, defaults=_known(Article, fields)
        )
        for part in parts:
            part = dict(part)
            ArticlePart.objects.update_or_create(
                article=obj, number=part.pop("number"), defaults=_known(ArticlePart, part)
            )
    return len(data["articles"])


def load_bodies(Region, Body, path: Path = DATA_DIR / "bodies.csv") -> int:
    """Create or update the bodies listed in ``bodies.csv``; returns how many rows were read."""
    regions = {r.code: r for r in Region.objects.all()}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        code = row.pop("code")
        row.pop("source", None)
        row["region"] = regions.get(row["region"]) if row["region"] else None
        Body.objects.update_or_create(code=code, defaults=_known(Body, row))
    return len(rows)
