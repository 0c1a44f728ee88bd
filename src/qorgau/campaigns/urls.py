from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.progress_page, name="progress"),
    path("progress.xlsx", views.progress_export, name="progress_export"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/update/", views.activity_update, name="activity_update"),
    path("activities/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("import/", views.plan_import, name="import"),
    path("template.xlsx", views.template_download, name="template"),
]
