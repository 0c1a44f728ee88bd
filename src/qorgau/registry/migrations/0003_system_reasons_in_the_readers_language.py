"""The rows the system writes at registration (the first status, the initial qualification)
stored their reason as text in the language of whoever registered the case; they now store
none and are labelled in the reader's language. Clear the old texts (in kk, ru or en)."""

from django.db import migrations

REGISTRATION = ["registration", "тіркеу", "регистрация"]
INITIAL_QUALIFICATION = ["initial qualification", "бастапқы саралау", "первоначальная квалификация"]


def clear(apps, schema_editor):
    StatusChange = apps.get_model("registry", "StatusChange")
    Qualification = apps.get_model("registry", "Qualification")
    StatusChange.objects.filter(from_status="", reason__in=REGISTRATION).update(reason="")
    Qualification.objects.filter(reason__in=INITIAL_QUALIFICATION).update(reason="")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_term_extension_length")]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
