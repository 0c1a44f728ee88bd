from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.training_page, name="page"),
    path("export.xlsx", views.coverage_export, name="export"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("headcounts/new/", views.headcount_new, name="headcount_new"),
]
