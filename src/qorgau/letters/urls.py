from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("<int:pk>/", views.inquiry_detail, name="detail"),
    path("<int:pk>/draft/<str:lang>/generate/", views.draft_generate, name="generate"),
    path("<int:pk>/draft/<str:lang>/", views.draft_edit, name="draft"),
    path("<int:pk>/versions/<int:number>/", views.version_download, name="version"),
]
