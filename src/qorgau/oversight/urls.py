from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.control_page, name="control"),
    path("export.csv", views.control_export, name="export"),
    path("control/new/", views.control_new, name="control_new"),
    path("control/<int:pk>/result/", views.control_result, name="control_result"),
]
