from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<str:name>.<str:fmt>", views.export, name="export"),
]
