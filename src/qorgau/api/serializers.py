"""What the API shows of each record, and what it reads from a request body. Parties are
pseudonymous as on the case page (role, sex, age band, minor, relationship, consent); dates
and times are ISO 8601 in Kazakhstan's time (+05:00)."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qorgau.campaigns.models import Activity
from qorgau.reference.models import Article, ArticlePart, Body, Region
from qorgau.registry import lifecycle
from qorgau.registry.choices import CaseStatus
from qorgau.registry.models import Case, Party, Qualification, Report, StatusChange
from qorgau.stats.models import Release


class RegionSerializer(serializers.ModelSerializer[Region]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["code", "kind", "name", "name_kk", "name_ru", "name_en"]


class ArticlePartSerializer(serializers.ModelSerializer[ArticlePart]):
    class Meta:
        model = ArticlePart
        fields = ["number", "gravity"]


class ArticleSerializer(serializers.ModelSerializer[Article]):
    title = serializers.CharField(read_only=True)
    parts = ArticlePartSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["code", "title", "category", "in_force_on", "iccs_code", "parts"]


class BodySerializer(serializers.ModelSerializer[Body]):
    region = serializers.CharField(source="region.code", allow_null=True, read_only=True)

    class Meta:
        model = Body
        fields = ["code", "kind", "region", "name_kk", "name_ru", "name_en"]


class PartySerializer(serializers.ModelSerializer[Party]):
    class Meta:
        model = Party
        fields = ["role", "sex", "age_band", "is_minor", "relationship", "consent_further_use"]


class QualificationSerializer(serializers.ModelSerializer[Qualification]):
    article = serializers.CharField(source="article_part.article.code", read_only=True)
    part = serializers.IntegerField(source="article_part.number", read_only=True)

    class Meta:
        model = Qualification
        fields = ["article", "part", "qualified_at"]


class StatusChangeSerializer(serializers.ModelSerializer[StatusChange]):
    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "changed_at", "ground"]


class CaseSerializer(serializers.ModelSerializer[Case]):
    region = serializers.CharField(source="region.code", read_only=True)
    investigating_body = serializers.CharField(
        source="investigating_body.code", allow_null=True, read_only=True
    )
    article = serializers.CharField(source="article_part.article.code", read_only=True)
    part = serializers.IntegerField(source="article_part.number", read_only=True)
    iccs_code = serializers.CharField(source="article_part.article.iccs_code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = [
            "number", "erdr_number", "region", "registered_at", "investigating_body",
            "article", "part", "iccs_code", "status", "status_label", "status_at",
            "term_ends_on",
        ]  # fmt: skip


class CaseDetailSerializer(CaseSerializer):
    joined_to = serializers.CharField(source="joined_to.number", allow_null=True, read_only=True)
    term_days_left = serializers.SerializerMethodField()
    allowed_next = serializers.SerializerMethodField()
    qualifications = QualificationSerializer(many=True, read_only=True)
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    parties = PartySerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "termination_ground", "suspension_ground", "joined_to",
            "term_days_left", "allowed_next", "qualifications", "status_changes", "parties",
        ]  # fmt: skip

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_term_days_left(self, case: Case) -> int | None:
        """Days left of the running term (negative: overdue), by the Kazakhstan day."""
        if case.term_ends_on is None or not lifecycle.term_running(case.status):
            return None
        return (case.term_ends_on - timezone.localdate()).days

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_next(self, case: Case) -> list[str]:
        return lifecycle.allowed_next(case.status)


class ReportSerializer(serializers.ModelSerializer[Report]):
    region = serializers.CharField(source="region.code", read_only=True)
    receiving_body = serializers.CharField(source="receiving_body.code", read_only=True)
    suggested_article = serializers.CharField(
        source="suggested_article.code", allow_null=True, read_only=True
    )

    class Meta:
        model = Report
        fields = [
            "id", "received_at", "channel", "region", "receiving_body", "suggested_article",
            "summary", "decision", "decided_at",
        ]  # fmt: skip


class RegisterCaseSerializer(serializers.Serializer[Any]):
    """A registration: region, article and part, when, and optionally the investigating body and
    the ERDR number."""

    region = serializers.CharField(max_length=6)
    article = serializers.CharField(max_length=20)
    part = serializers.IntegerField(min_value=1, max_value=99)
    registered_at = serializers.DateTimeField()
    investigating_body = serializers.CharField(max_length=40, required=False, allow_blank=True)
    erdr_number = serializers.CharField(max_length=15, required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=CaseStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    ground = serializers.CharField(required=False, allow_blank=True, max_length=30)
    joined_to = serializers.CharField(required=False, allow_blank=True, max_length=40)


class RequalificationSerializer(serializers.Serializer[Any]):
    article = serializers.CharField(max_length=20)
    part = serializers.IntegerField(min_value=1, max_value=99)
    reason = serializers.CharField(max_length=2000)


class CountRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    count = serializers.CharField(help_text='A number, or a protected cell such as "<4" or "*".')


class CountsSerializer(serializers.Serializer[Any]):
    by = serializers.CharField()
    rows = CountRowSerializer(many=True)
    withheld = serializers.CharField()
    protected = serializers.BooleanField()
    counted_from = serializers.DateField(allow_null=True)
    counted_to = serializers.DateField(allow_null=True)


class SeriesPointSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    count = serializers.IntegerField()


class SeriesSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    points = SeriesPointSerializer(many=True)


class ReleaseSerializer(serializers.ModelSerializer[Release]):
    revises = serializers.IntegerField(source="revises.number", allow_null=True, read_only=True)

    class Meta:
        model = Release
        fields = [
            "number", "period_start", "period_end", "cut_off", "published_at",
            "methods_version", "threshold", "articles", "regions", "cells", "totals", "rates",
            "digest", "revises", "reason",
        ]  # fmt: skip


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    plan = serializers.IntegerField(source="plan.pk", read_only=True)
    status = serializers.SerializerMethodField()
    regions: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    responsible = serializers.CharField(source="responsible.__str__", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id", "plan", "title_kk", "title_ru", "kind", "regions", "responsible", "due_on",
            "status", "stored_status", "completed_on", "planned_count", "achieved_count",
            "planned_reach", "achieved_reach", "planned_participants", "achieved_participants",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField())
    def get_status(self, activity: Activity) -> str:
        """The status today (``overdue`` follows from the due date)."""
        return str(activity.status_on(timezone.localdate()))


class ProgressSerializer(serializers.Serializer[Any]):
    """Progress reported for an activity (an akimat's report)."""

    status = serializers.CharField(max_length=20)
    cancel_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    completed_on = serializers.DateField(required=False, allow_null=True)
    achieved_count = serializers.IntegerField(min_value=0, required=False, default=0)
    achieved_reach = serializers.IntegerField(min_value=0, required=False, default=0)
    achieved_participants = serializers.IntegerField(min_value=0, required=False, default=0)


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """An RFC 9457 problem document (``api/problems.py``)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]  # a field


def page_of(item: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """The serializer of a cursor page of ``item`` (for the OpenAPI document)."""
    name = item.__name__.removesuffix("Serializer")
    fields = {
        "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True),
        "results": item(many=True),
    }
    return type(f"Paginated{name}List", (serializers.Serializer,), fields)


class ChangeSerializer(serializers.Serializer[Any]):
    """One change of the feed (``registry.changes``): its position, the object and what it is
    now."""

    position = serializers.CharField()
    kind = serializers.CharField()
    id = serializers.IntegerField()
    action = serializers.CharField()
    at = serializers.CharField(help_text="ISO 8601, +05:00")
    data = serializers.JSONField()  # type: ignore[assignment]  # a field, not Serializer.data


class ChangesSerializer(serializers.Serializer[Any]):
    results = ChangeSerializer(many=True)
    next = serializers.CharField(help_text="The cursor to resume from (after=…).")


class BulkSummarySerializer(serializers.Serializer[Any]):
    committed = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()  # type: ignore[assignment]  # a field
