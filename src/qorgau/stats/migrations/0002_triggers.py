"""Superseded by 0003 (the aggregates at several grains), which creates the triggers and fills
the tables: this step once created them for the first, day-only tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial"), ("registry", "0009_case_number_counter_names")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
