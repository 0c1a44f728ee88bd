"""The audit trail's addresses (/audit/…, names ``audit:…``)."""

from django.urls import path

from . import trail as views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.csv", views.audit_export, name="export"),
]
