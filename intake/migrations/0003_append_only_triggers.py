"""Database triggers that refuse UPDATE and DELETE on the append-only tables.

The ORM already refuses; these also stop raw SQL from the application's own connection.
(A database owner can still drop a trigger: the audit hash chain, checked by
`manage.py verify_audit`, is what detects that.)
"""

from django.db import migrations

from intake.db_triggers import create_statements, drop_statements

# The tables that existed at this migration (later append-only tables have their own).
TABLES = (
    "intake_trackreview",
    "intake_intakeevent",
    "intake_routingdecision",
    "intake_auditevent",
)


def create(apps, schema_editor):
    for sql in create_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in drop_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_catalogs_and_roles")]
    operations = [migrations.RunPython(create, drop)]
