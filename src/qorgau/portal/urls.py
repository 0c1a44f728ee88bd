from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_directory, name="help"),
    path("self-check/", views.self_check, name="self_check"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("statistics/releases/", views.release_archive, name="releases"),
    path("statistics/releases/<int:number>/", views.release, name="release"),
    path("statistics/releases/<int:number>.csv", views.release_csv, name="release_csv"),
    path("<slug:slug>/", views.page, name="page"),
]
