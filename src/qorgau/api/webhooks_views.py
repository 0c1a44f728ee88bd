"""``GET /api/v1/webhooks/deliveries``: a subscriber reads the log of what was sent to it
(docs/api.md#webhooks) — to find what it missed while it was down, and why."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from . import actions, webhooks
from . import serializers as s
from .models import DeliveryStatus
from .views import ERRORS, JSON, PAGE, ApiView, Pages, _valid


class AttemptSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="None: no answer.")
    duration_ms = serializers.IntegerField()
    error = serializers.CharField()


class EventSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uid", help_text="The webhook-id header of its deliveries.")
    type = serializers.CharField()
    timestamp = serializers.DateTimeField(source="occurred_at")
    data = serializers.JSONField()  # type: ignore[assignment]  # a field, not Serializer.data


class DeliverySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    subscription = serializers.IntegerField(source="subscription_id")
    url = serializers.CharField(source="subscription.url")
    event = EventSerializer()
    status = serializers.ChoiceField(choices=DeliveryStatus.values)
    attempts = serializers.IntegerField(help_text="Attempts in this round (8 at most).")
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    tries = AttemptSerializer(many=True, help_text="Every attempt, oldest first.")


class DeliveryFilter(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)


class WebhookDeliveries(ApiView):
    """The deliveries to the caller's subscriptions, newest first (a national administrator's
    session: every subscription's)."""

    policy_action = "home.view"

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=[OpenApiParameter("status", str, enum=list(DeliveryStatus.values)), *PAGE],
        responses={(200, JSON): s.page_of(DeliverySerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        deliveries = webhooks.deliveries_for(self.actor()).order_by()
        status = _valid(DeliveryFilter, request.query_params).get("status")
        if status:
            deliveries = deliveries.filter(status=status)
        pager = Pages()
        page: list[Any] = pager.paginate_queryset(deliveries, request, self) or []
        self.audit(actions.READ,
                   details={"list": "webhook deliveries", "shown": [d.pk for d in page]})  # fmt: skip
        return pager.get_paginated_response(DeliverySerializer(page, many=True).data)
