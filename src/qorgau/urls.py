"""URL configuration. Staff pages carry the language in the URL prefix-free; the interface
language comes from the user's choice (cookie-free: the session) or the browser."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qorgau.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("qorgau.registry.urls")),
    path("admin/", admin.site.urls),
]
