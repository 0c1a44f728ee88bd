"""Read-side queries of the registry used by pages and commands."""

from django.db.models import Count, Q, QuerySet

from qorgau.reference.models import Article

from .choices import CaseStatus, Decision
from .models import Case, Report


def all_cases() -> QuerySet:
    return Case.objects.all()


def all_reports() -> QuerySet:
    return Report.objects.all()


def home_summary(cases: QuerySet, reports: QuerySet) -> dict:
    """Counts for the staff home page: cases per article (all, under investigation), reports
    waiting for a decision, and whether demonstration data is present — of the given sets."""
    counts = {
        row["article_part__article"]: row
        for row in cases.values("article_part__article").annotate(
            total=Count("id"), open=Count("id", filter=Q(status=CaseStatus.INVESTIGATION))
        )
    }
    articles = [
        {
            "article": article,
            "total": counts.get(article.pk, {}).get("total", 0),
            "open": counts.get(article.pk, {}).get("open", 0),
        }
        for article in Article.objects.all()
    ]
    return {
        "articles": articles,
        "pending_reports": reports.filter(decision=Decision.PENDING).count(),
        "demo": cases.filter(is_demo=True).exists(),
    }


def search_cases(cases: QuerySet, params: dict) -> QuerySet:
    """Filter cases by number (prefix), article, region, status and registration dates."""
    if params.get("number"):
        cases = cases.filter(number__startswith=params["number"].strip())
    if params.get("article"):
        cases = cases.filter(article_part__article__code=params["article"])
    if params.get("region"):
        cases = cases.filter(region__code=params["region"])
    if params.get("status"):
        cases = cases.filter(status=params["status"])
    if params.get("registered_from"):
        cases = cases.filter(registered_at__date__gte=params["registered_from"])
    if params.get("registered_to"):
        cases = cases.filter(registered_at__date__lte=params["registered_to"])
    return cases.select_related("region", "article_part__article", "investigating_body")
