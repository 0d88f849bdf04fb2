"""Load the ROUTING.md catalogs and create the staff roles with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from intake.reference_data import load_catalogs, load_roles


def load(apps, schema_editor):
    load_catalogs(apps)
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
