"""The API, version 1 (docs/api.md: versioning and deprecation)."""

from typing import Any

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from qorgau.access import policy

from . import problems, views, webhooks_views

app_name = "api"


def _public(view: Any) -> Any:
    return policy.public(view)


urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases:bulk", views.CasesBulk.as_view(), name="cases_bulk"),
    path("changes", views.Changes.as_view(), name="changes"),
    path("cases/<str:number>/", views.CaseDetail.as_view(), name="case"),
    path("cases/<str:number>/transitions", views.CaseTransitions.as_view(), name="transitions"),
    path(
        "cases/<str:number>/requalifications",
        views.CaseRequalifications.as_view(),
        name="requalifications",
    ),
    path("reports/", views.ReportList.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report"),
    path("statistics/counts", views.StatisticsCounts.as_view(), name="stats_counts"),
    path("statistics/series", views.StatisticsSeries.as_view(), name="stats_series"),
    path("releases/", views.ReleaseList.as_view(), name="releases"),
    path("releases/<int:number>/", views.ReleaseDetail.as_view(), name="release"),
    path("campaigns/activities/", views.ActivityList.as_view(), name="activities"),
    path(
        "campaigns/activities/<int:pk>/progress",
        views.ActivityProgress.as_view(),
        name="activity_progress",
    ),
    path("reference/regions/", views.RegionList.as_view(), name="regions"),
    path("reference/articles/", views.ArticleList.as_view(), name="articles"),
    path("reference/bodies/", views.BodyList.as_view(), name="bodies"),
    path(
        "webhooks/deliveries",
        webhooks_views.WebhookDeliveries.as_view(),
        name="webhook_deliveries",
    ),
    # The OpenAPI 3.1 document and Swagger UI (files from drf-spectacular-sidecar, its start-up
    # script a file of its own: no inline script under the CSP). Public: they describe, hold no data.
    path(
        "schema/",
        _public(SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[])),
        name="schema",
    ),
    path(
        "docs/",
        _public(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema",
                template_name="api/swagger_ui.html",
                authentication_classes=[],
                permission_classes=[],
            )
        ),
        name="docs",
    ),
    # Any other address under /api/v1/: a 404 problem document, not the site's HTML page.
    re_path(r"^.*$", _public(problems.not_found), name="not_found"),
]
