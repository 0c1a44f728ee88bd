"""The API's endpoints: thin callers of the services, the scoped querysets and the policy, as
the pages are. Each declares the policy action it needs (``policy_action``, or
``policy_actions`` per method); each call writes its audit entry (a read like the page's, or
the service's own entry for a change)."""

import abc
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from qorgau.access import actions as access_actions
from qorgau.access import policy
from qorgau.audit import log
from qorgau.campaigns import services as campaigns
from qorgau.core.actors import Actor
from qorgau.core.errors import Invalid
from qorgau.reference.models import Article, ArticlePart, Body, Region
from qorgau.registry import changes, filters, lifecycle, scoped, services, upsert
from qorgau.registry.choices import CaseStatus
from qorgau.registry.models import Case
from qorgau.stats import actions as stats_actions
from qorgau.stats import releases
from qorgau.stats import services as stats

from . import actions, idempotency
from . import serializers as s
from .auth import actor_of
from .etags import check_if_match, etag

PROBLEM_TYPE = "application/problem+json"
PROBLEM = OpenApiResponse(s.ProblemSerializer, description="A problem document (RFC 9457).")
JSON = "application/json"


def problems(*codes: int) -> dict[Any, Any]:
    """The documented problem answers: ``codes`` and those every call may get."""
    return {(code, PROBLEM_TYPE): PROBLEM for code in sorted({400, 401, 403, 404, 429, *codes})}


ERRORS = problems()
PAGE = [
    OpenApiParameter("cursor", str, description="From the previous page's next/previous."),
    OpenApiParameter("limit", int, description="Page size, 1 to 200 (default 50)."),
]
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
    description="A key of the caller's choosing: a retry with the same key gets the first answer.",
)  # fmt: skip
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True,
    description="The case's ETag as last read (GET /cases/{number}/): 412 if it changed since.",
)  # fmt: skip


class Pages(CursorPagination):
    """Cursor pages (``?cursor=…`` from ``next``/``previous``), newest record first; stable
    while records are added."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200


class ApiView(APIView):
    """An endpoint: its policy action, its actor, its audit entry."""

    policy_action = ""
    policy_actions: dict[str, str] = {}

    def actor(self) -> Actor:
        return actor_of(self.request)

    def audit(self, action: str, target: Any = None, details: dict[str, Any] | None = None) -> None:
        """One entry for the call, filed under the client's region when it has one."""
        actor = self.actor()
        region = ""
        if actor.client is not None and actor.client.region_id:
            region = actor.client.region.code
        log.write(actor, action, target, details={**(details or {}), "via": "api"},
                  region_code=region if target is None else "")  # fmt: skip

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        # The rule the URL tests read (api/tests/test_api_access.py), as for a page.
        rule = cls.policy_action or "/".join(sorted(set(cls.policy_actions.values())))
        view.qorgau_action = rule  # type: ignore[attr-defined]
        return view


def _invalid_filters(fs: Any) -> Invalid:
    return Invalid.of(
        (field if field != "__all__" else None, str(message))
        for field, messages in fs.form.errors.items()
        for message in messages
    )


CASE_FILTERS = [
    OpenApiParameter("region", str, description="Region ISO code, e.g. KZ-79."),
    OpenApiParameter("article", str, description="Article code, e.g. 115-1."),
    OpenApiParameter("status", str, enum=list(CaseStatus.values)),
    OpenApiParameter("registered_from", OpenApiTypes.DATE),
    OpenApiParameter("registered_to", OpenApiTypes.DATE),
    OpenApiParameter("q", str, description="All or part of the case or ERDR number."),
]


def _params(request: Request, *names: str) -> dict[str, str]:
    return {n: request.query_params[n] for n in names if request.query_params.get(n)}


# --- Cases ----------------------------------------------------------------------------------


class CaseList(ApiView):
    """Cases of the caller's scope, filtered as the case list; and registration (POST)."""

    policy_actions = {"GET": "case.search", "POST": "case.create"}
    pagination_class = Pages

    @extend_schema(
        operation_id="cases_list",
        parameters=[*CASE_FILTERS, *PAGE],
        responses={(200, JSON): s.page_of(s.CaseSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        params = _params(request, "region", "article", "status", "registered_from",
                         "registered_to", "q")  # fmt: skip
        fs, cases = filters.filtered_cases(self.actor(), params)
        if not fs.is_valid():
            raise _invalid_filters(fs)
        cases = cases.select_related(
            "region", "article_part__article", "investigating_body"
        ).order_by()
        pager = Pages()
        page = pager.paginate_queryset(cases, request, self) or []
        self.audit(access_actions.CASE_SEARCH,
                   details={"filters": filters.described(fs), "shown": [c.number for c in page]})  # fmt: skip
        return pager.get_paginated_response(s.CaseSerializer(page, many=True).data)

    @extend_schema(
        request=s.RegisterCaseSerializer, parameters=[IDEMPOTENCY],
        responses={(201, JSON): s.CaseDetailSerializer, **problems(409, 422)},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        """Register a case (``registry.services.register_case``): the answer names its number;
        a retry with the same Idempotency-Key gets the same case, never a second number."""
        return idempotency.run(request, self._register)

    def _register(self) -> Response:
        data = _valid(s.RegisterCaseSerializer, self.request.data)
        actor = self.actor()
        region = policy.regions_for(actor, "case.create").filter(code=data["region"]).first()
        if region is None:
            raise Invalid("region", _("Unknown region or outside your scope."))
        part = ArticlePart.objects.filter(
            article__code=data["article"], number=data["part"]
        ).first()
        if part is None:
            raise Invalid("article", _("No such article and part."))
        body = None
        if data.get("investigating_body"):
            body = Body.objects.filter(code=data["investigating_body"]).first()
            if body is None:
                raise Invalid("investigating_body", _("No such body."))
        case = services.register_case(
            actor, region, article_part=part, registered_at=data["registered_at"],
            investigating_body=body, erdr_number=data.get("erdr_number", ""),
        )  # fmt: skip
        case = _case_query().get(pk=case.pk)
        response = Response(s.CaseDetailSerializer(case).data, status=201)
        response["Location"] = f"/api/v1/cases/{case.number}/"
        response["ETag"] = etag(case)
        return response


def _valid(serializer_class: type[drf.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _case_query() -> Any:
    return Case.objects.select_related(
        "region", "article_part__article", "investigating_body", "joined_to"
    ).prefetch_related("parties", "qualifications__article_part__article", "status_changes")


class CaseDetail(ApiView):
    """One case: qualification and its history, status and its history, term, parties."""

    policy_action = "case.view"

    @extend_schema(responses={(200, JSON): s.CaseDetailSerializer, **ERRORS})
    def get(self, request: Request, number: str) -> Response:
        case = scoped.get_case_or_404(self.actor(), number, queryset=_case_query())
        self.audit(access_actions.CASE_VIEW, case)
        tag = etag(case)
        if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            unchanged = Response(status=304)  # the caller's copy is current
            unchanged["ETag"] = tag
            return unchanged
        response = Response(s.CaseDetailSerializer(case).data)
        response["ETag"] = tag
        return response


class CaseAction(ApiView, abc.ABC):
    """A change to a case through its service, conditional on its ETag and idempotent; each kind
    of change says what it does in :meth:`apply`."""

    serializer_class: type[drf.Serializer[Any]] = s.TransitionSerializer

    def post(self, request: Request, number: str) -> Response:
        return idempotency.run(request, lambda: self._change(number))

    def _change(self, number: str) -> Response:
        actor = self.actor()
        action = self.policy_action
        case = scoped.get_case_or_404(actor, number, action)
        data = _valid(self.serializer_class, self.request.data)
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            check_if_match(self.request._request, locked)
            self.apply(actor, locked, data)
        case = _case_query().get(pk=case.pk)
        response = Response(s.CaseDetailSerializer(case).data, status=201)
        response["ETag"] = etag(case)
        return response

    @abc.abstractmethod
    def apply(self, actor: Actor, case: Case, data: dict[str, Any]) -> None:
        """Change the locked ``case`` by its service with the valid ``data``."""


class CaseTransitions(CaseAction):
    """``POST /cases/{number}/transitions``: a status change by the lifecycle's rules."""

    policy_action = "case.change_status"
    serializer_class = s.TransitionSerializer

    @extend_schema(
        request=s.TransitionSerializer, parameters=[IDEMPOTENCY, IF_MATCH],
        responses={(201, JSON): s.CaseDetailSerializer, **problems(409, 412, 422, 428)},
    )  # fmt: skip
    def post(self, request: Request, number: str) -> Response:
        return super().post(request, number)

    def apply(self, actor: Actor, case: Case, data: dict[str, Any]) -> None:
        joined_to = None
        if data.get("joined_to"):
            joined_to = scoped.cases_for(actor).filter(number=data["joined_to"]).first()
            if joined_to is None:
                raise Invalid("joined_to", _("No case with this number."))
        lifecycle.transition(actor, case, data["to_status"], reason=data.get("reason", ""),
                             ground=data.get("ground", ""), joined_to=joined_to)  # fmt: skip


class CaseRequalifications(CaseAction):
    """``POST /cases/{number}/requalifications``: a new qualification, with its reason."""

    policy_action = "case.requalify"
    serializer_class = s.RequalificationSerializer

    @extend_schema(
        request=s.RequalificationSerializer, parameters=[IDEMPOTENCY, IF_MATCH],
        responses={(201, JSON): s.CaseDetailSerializer, **problems(409, 412, 422, 428)},
    )  # fmt: skip
    def post(self, request: Request, number: str) -> Response:
        return super().post(request, number)

    def apply(self, actor: Actor, case: Case, data: dict[str, Any]) -> None:
        part = ArticlePart.objects.filter(
            article__code=data["article"], number=data["part"]
        ).first()
        if part is None:
            raise Invalid("article", _("No such article and part."))
        services.requalify(actor, case, part, reason=data["reason"])


# --- Reports --------------------------------------------------------------------------------


class ReportList(ApiView):
    policy_action = "report.view"

    @extend_schema(
        operation_id="reports_list",
        parameters=[
            OpenApiParameter("region", str),
            OpenApiParameter("decision", str), OpenApiParameter("received_from", OpenApiTypes.DATE),
            OpenApiParameter("received_to", OpenApiTypes.DATE), *PAGE,
        ],
        responses={(200, JSON): s.page_of(s.ReportSerializer), **ERRORS},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        params = _params(request, "region", "decision", "received_from", "received_to")
        fs, reports = filters.filtered_reports(self.actor(), params)
        if not fs.is_valid():
            raise _invalid_filters(fs)
        reports = reports.select_related("region", "receiving_body", "suggested_article").order_by()
        pager = Pages()
        page = pager.paginate_queryset(reports, request, self) or []
        self.audit(access_actions.REPORT_SEARCH,
                   details={"filters": filters.described(fs), "shown": [r.pk for r in page]})  # fmt: skip
        return pager.get_paginated_response(s.ReportSerializer(page, many=True).data)


class ReportDetail(ApiView):
    policy_action = "report.view"

    @extend_schema(responses={(200, JSON): s.ReportSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        report = scoped.get_report_or_404(self.actor(), pk)
        self.audit(access_actions.REPORT_VIEW, report)
        return Response(s.ReportSerializer(report).data)


# --- Statistics -----------------------------------------------------------------------------


def _stats_filters(request: Request, actor: Actor) -> stats.Filters:
    """The dashboard's filters from the query: ``articles`` and ``regions`` (comma-separated
    codes), ``date_from``, ``date_to``; checked by ``stats.services.Filters.check``."""

    def codes(name: str) -> tuple[str, ...]:
        return tuple(c.strip() for c in request.query_params.get(name, "").split(",") if c.strip())

    def day(name: str) -> dt.date | None:
        text = request.query_params.get(name, "")
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(name, _("Enter a date as YYYY-MM-DD.")) from None

    articles = codes("articles")
    filters_ = stats.Filters(
        articles, day("date_from") or stats.in_force_since(articles), day("date_to"),
        codes("regions"),
    )  # fmt: skip
    return filters_.check(actor)


STATS_FILTERS = [
    OpenApiParameter("articles", str, description="Article codes, comma-separated."),
    OpenApiParameter("regions", str, description="Region ISO codes, comma-separated."),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
]
DIMENSIONS = sorted([*stats.DIMENSIONS, *stats.REPORT_DIMENSIONS, "iccs", "termination_ground"])


class StatisticsCounts(ApiView):
    """Counts by one dimension, protected as on the dashboard (``stats.services.breakdown``)."""

    policy_action = "stats.view"

    @extend_schema(
        parameters=[*STATS_FILTERS, OpenApiParameter("by", str, required=True, enum=DIMENSIONS)],
        responses={(200, JSON): s.CountsSerializer, **ERRORS},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        actor = self.actor()
        filters_ = _stats_filters(request, actor)
        by = request.query_params.get("by", "")
        if by not in DIMENSIONS:
            raise Invalid("by", _("Unknown breakdown “%(by)s”.") % {"by": by})
        result = stats.breakdown(actor, filters_, by)
        self.audit(stats_actions.VIEW, details={"filters": filters_.describe(), "by": by})
        counted = result.counted
        return Response({
            "by": by,
            "rows": [{**row, "label": str(row["label"]), "count": str(row["count"])}
                     for row in result.rows],
            "withheld": str(result.withheld),
            "protected": result.protected,
            "counted_from": counted.date_from if counted else filters_.date_from,
            "counted_to": counted.end if counted else filters_.end,
        })  # fmt: skip


class StatisticsSeries(ApiView):
    """Cases per period (the dashboard's time series)."""

    policy_action = "stats.view"

    @extend_schema(
        parameters=[*STATS_FILTERS, OpenApiParameter("period", str, enum=list(stats.PERIODS))],
        responses={(200, JSON): s.SeriesSerializer, **ERRORS},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        actor = self.actor()
        filters_ = _stats_filters(request, actor)
        period = request.query_params.get("period") or "week"
        if period not in stats.PERIODS:
            raise Invalid("period", _("Choose the period."))
        series = stats.time_series(actor, filters_, period)
        self.audit(stats_actions.VIEW, details={"filters": filters_.describe(), "period": period})
        return Response({"period": period,
                         "points": [{"start": d, "count": n} for d, n in series]})  # fmt: skip


# --- Public releases ------------------------------------------------------------------------


class ReleaseList(ApiView):
    """Every published release, newest first: public, like the public statistics page."""

    policy_action = "public"
    authentication_classes: list[Any] = []

    @extend_schema(
        responses={(200, JSON): s.ReleaseSerializer(many=True), (429, PROBLEM_TYPE): PROBLEM},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response(s.ReleaseSerializer(releases.archive(), many=True).data)


class ReleaseDetail(ApiView):
    policy_action = "public"
    authentication_classes: list[Any] = []

    @extend_schema(responses={(200, JSON): s.ReleaseSerializer, **problems()}, auth=[])
    def get(self, request: Request, number: int) -> Response:
        release = releases.find(number)
        if release is None:
            raise Http404
        return Response(s.ReleaseSerializer(release).data)


# --- Campaign activities --------------------------------------------------------------------


class ActivityList(ApiView):
    """Activities of the plans the caller may see (national ones and their region's)."""

    policy_action = "campaigns.view"

    @extend_schema(
        operation_id="activities_list",
        parameters=PAGE,
        responses={(200, JSON): s.page_of(s.ActivitySerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        activities = campaigns.activities_for(self.actor()).order_by()
        pager = Pages()
        page = pager.paginate_queryset(activities, request, self) or []
        self.audit(actions.READ, details={"list": "activities", "shown": [a.pk for a in page]})
        return pager.get_paginated_response(s.ActivitySerializer(page, many=True).data)


class ActivityProgress(ApiView):
    """``POST /campaigns/activities/{id}/progress``: an akimat reports an activity's status and
    achieved figures (``campaigns.services.update_activity``)."""

    policy_action = "campaigns.edit"

    @extend_schema(
        request=s.ProgressSerializer, parameters=[IDEMPOTENCY],
        responses={(201, JSON): s.ActivitySerializer, **problems(422)},
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        return idempotency.run(request, lambda: self._update(pk))

    def _update(self, pk: int) -> Response:
        actor = self.actor()
        activity = campaigns.activity_or_none(actor, pk)
        if activity is None:
            raise Http404
        data = _valid(s.ProgressSerializer, self.request.data)
        campaigns.update_activity(
            actor, activity, status=data["status"], cancel_reason=data.get("cancel_reason", ""),
            completed_on=data.get("completed_on"), achieved_count=data["achieved_count"],
            achieved_reach=data["achieved_reach"],
            achieved_participants=data["achieved_participants"],
        )  # fmt: skip
        fresh = campaigns.activities_for(actor).get(pk=pk)
        return Response(s.ActivitySerializer(fresh).data, status=201)


# --- Reference data -------------------------------------------------------------------------


class RegionList(ApiView):
    policy_action = "home.view"

    @extend_schema(responses={(200, JSON): s.RegionSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        self.audit(actions.READ, details={"list": "regions"})
        return Response(s.RegionSerializer(Region.objects.order_by("order"), many=True).data)


class ArticleList(ApiView):
    policy_action = "home.view"

    @extend_schema(responses={(200, JSON): s.ArticleSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        self.audit(actions.READ, details={"list": "articles"})
        articles = Article.objects.prefetch_related("parts").order_by("code")
        return Response(s.ArticleSerializer(articles, many=True).data)


class BodyList(ApiView):
    policy_action = "home.view"

    @extend_schema(responses={(200, JSON): s.BodySerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        self.audit(actions.READ, details={"list": "bodies"})
        bodies = Body.objects.select_related("region").order_by("code")
        return Response(s.BodySerializer(bodies, many=True).data)


# --- The change feed and the bulk upsert (registry.changes, registry.upsert) ------------------


class Changes(ApiView):
    """``GET /changes?after=<cursor>``: every change to the cases and reports the caller may see,
    in commit order (``registry.changes.feed``, which writes its own ``change.feed`` entry)."""

    policy_action = "case.view"

    @extend_schema(
        operation_id="changes_list",
        parameters=[
            OpenApiParameter("after", str, description="The cursor of the last change read."),
            OpenApiParameter("limit", int, description="At most this many changes (1 to 1000)."),
        ],
        responses={(200, JSON): s.ChangesSerializer, **ERRORS},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        try:
            limit = int(request.query_params.get("limit") or 100)
        except ValueError:
            raise Invalid("limit", _("Enter a whole number.")) from None
        results, cursor = changes.feed(self.actor(), request.query_params.get("after"), limit)
        return Response({"results": results, "next": cursor})


BULK_TYPES = {
    "application/x-ndjson": upsert.NDJSON,
    "application/ndjson": upsert.NDJSON,
    "text/csv": upsert.CSV,
}


class CasesBulk(ApiView):
    """``POST /cases:bulk``: cases created or updated by their ERDR number from NDJSON or CSV,
    read as a stream (``registry.upsert.upsert``); ``?atomic=false`` row by row. The answer is
    NDJSON: the counts on the first line, then each row's result."""

    policy_action = "case.create"

    @extend_schema(
        operation_id="cases_bulk",
        request=dict.fromkeys(BULK_TYPES, OpenApiTypes.STR),
        parameters=[IDEMPOTENCY, OpenApiParameter("atomic", bool, description="All or nothing "
                    "(default true), or each row alone (false).")],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR, **problems(409, 415, 422)},
    )  # fmt: skip
    def post(self, request: Request) -> Any:
        media = request._request.content_type
        if media not in BULK_TYPES:
            raise UnsupportedMediaType(media or "")
        atomic = request.query_params.get("atomic", "true").lower() not in ("false", "0", "no")
        return idempotency.run(
            request,
            lambda: self._upsert(BULK_TYPES[media], atomic),
            fingerprint=idempotency.stream_fingerprint(request),
        )

    def _upsert(self, fmt: str, atomic: bool) -> Any:
        result = upsert.upsert(self.actor(), self.request._request, fmt=fmt, atomic=atomic)
        summary = {"committed": result.committed, "created": result.created,
                   "updated": result.updated, "unchanged": result.unchanged,
                   "errors": result.errors}  # fmt: skip

        def lines() -> Iterator[str]:
            try:
                yield json.dumps(summary) + "\n"
                for row in result.rows():
                    yield json.dumps(asdict(row), ensure_ascii=False) + "\n"
            finally:
                result.close()

        response = StreamingHttpResponse(lines(), content_type="application/x-ndjson")
        response.data = summary  # type: ignore[attr-defined]  # kept for an Idempotency-Key
        return response
