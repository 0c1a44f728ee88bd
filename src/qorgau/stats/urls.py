from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/un-cts-<int:year>.<str:fmt>", views.un_cts, name="un_cts"),
    path("export/<str:name>.<str:fmt>", views.export, name="export"),
]
