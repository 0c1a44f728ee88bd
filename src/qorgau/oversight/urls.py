from django.urls import path

from . import inbox, views

app_name = "oversight"
urlpatterns = [
    path("", views.control_page, name="control"),
    path("export.csv", views.control_export, name="export"),
    path("control/new/", views.control_new, name="control_new"),
    path("control/<int:pk>/result/", views.control_result, name="control_result"),
    path("notifications/", inbox.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", inbox.notification_read, name="notification_read"),
]
