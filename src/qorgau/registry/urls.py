from django.urls import path

from . import import_views, views

app_name = "registry"
urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/export.csv", views.case_export, name="case_export"),
    path("cases/import/", import_views.case_import, name="case_import"),
    path("cases/import/<uuid:pk>/", import_views.case_import_job, name="case_import_job"),
    path(
        "cases/import/<uuid:pk>/status.json",
        import_views.case_import_status,
        name="case_import_status",
    ),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/card.pdf", views.case_card, name="case_card"),
    path("cases/<str:number>/status/", views.case_status, name="case_status"),
    path("cases/<str:number>/party/", views.case_party, name="case_party"),
    path("cases/<str:number>/requalify/", views.case_requalify, name="case_requalify"),
    path("cases/<str:number>/extend/", views.case_extend, name="case_extend"),
    path("reports/", views.report_list, name="report_list"),
    path("search/", views.search_page, name="search"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/register/", views.report_register, name="report_register"),
]
