from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("new/", views.inquiry_new, name="inquiry_new"),
    path("<int:pk>/", views.inquiry_detail, name="detail"),
    path("<int:pk>/edit/", views.inquiry_edit, name="inquiry_edit"),
    path("<int:pk>/status/", views.inquiry_status, name="inquiry_status"),
    path("<int:pk>/draft/<str:lang>/generate/", views.draft_generate, name="generate"),
    path("<int:pk>/draft/<str:lang>/", views.draft_edit, name="draft"),
    path("<int:pk>/versions/<int:number>/", views.version_download, name="version"),
]
