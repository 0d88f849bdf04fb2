"""The language an intake was filled in (en | es): staff call with a speaker of it."""

from django.db import migrations, models

from intake import queue_counts


def keep_queue_count_triggers(apps, schema_editor):
    # SQLite adds a NOT NULL column by rebuilding the table, which drops its triggers: put the
    # queue-count triggers (0010) back. PostgreSQL alters the table in place and keeps them.
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in queue_counts.drop_statements(vendor) + queue_counts.create_statements(vendor):
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0012_administrators_see_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="intake",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("es", "Spanish")],
                default="en",
                max_length=8,
                verbose_name="language",
            ),
        ),
        migrations.RunPython(keep_queue_count_triggers, migrations.RunPython.noop),
    ]
