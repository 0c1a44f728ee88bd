from django.contrib import admin

from . import enrolment_admin
from .models import Profile

# Enrolment codes and the users' action that issues them. The users' admin is registered by
# django.contrib.auth, whose admin module the admin site found before this one.
enrolment_admin.register()


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region"]
    list_filter = ["role", "region"]
    search_fields = ["user__username"]
