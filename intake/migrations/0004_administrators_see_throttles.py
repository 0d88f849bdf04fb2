"""Administrators may look at the throttle counters in the admin (read only)."""

from django.db import migrations

from intake.reference_data import load_roles


def load(apps, schema_editor):
    load_roles(apps)  # idempotent: adds the permissions a role lacks


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_append_only_triggers")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
