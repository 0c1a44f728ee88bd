from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.progress_page, name="progress"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("import/", views.plan_import, name="import"),
    path("template.xlsx", views.template_download, name="template"),
]
