"""Administrators see every staff alert and its attempts in the admin (read only), failed ones
included."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from intake.reference_data import load_roles


def load(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("intake")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    load_roles(apps)  # idempotent: adds the permissions a role lacks


class Migration(migrations.Migration):
    dependencies = [("intake", "0011_keyed_audit_chain")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
