"""Indexes that another index already serves, dropped: each was written on every insert (a
final submit writes eight of them, a staff page's audit record three) for no query.

- A foreign key's own index where a composite index leads with the same column: the intake's
  assigned_to (intake_assigned, intake_my_followups), a substance row's intake
  (substanceuse_once_per_intake), a timeline event's and a contact attempt's intake
  (event_timeline, attempt_timeline), an audit record's actor (audit_actor), and a symptom
  link's intake (the link's own unique index on intake and symptom).
- The pattern indexes (varchar_pattern_ops, for LIKE 'abc%') PostgreSQL gets from Django beside
  the index of a text column, where the column is only ever compared whole: the intake's
  reference and submission key, a draft's token hash, a session's key, a substance row's and a
  symptom link's code, an audit record's intake reference and hash, an alert's key and state.
  (The queue's reference search looks in the compact code: intake/staff/filters.py.)

On SQLite, whose tables the changed columns rebuild, the tables' triggers are put back.

tests/test_indexes.py checks that no table of the app keeps an index another one covers, nor a
pattern index no query needs.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from intake import db_triggers, queue_counts

# (model, field, suffix): indexes Django made that the fields above do not name: the pattern
# index ("_like") beside a text column's own, and the symptom links' (an automatic table) own
# index on the intake ("").
THROUGH = "intake.symptoms"
DROPPED = [
    ("intake", "reference", "_like"),
    ("intake", "submission_key", "_like"),
    ("draft", "token_hash", "_like"),
    ("session", "session_key", "_like"),
    ("auditevent", "intake_reference", "_like"),
    ("auditevent", "hash", "_like"),
    ("alert", "key", "_like"),
    ("alert", "state", "_like"),
    (THROUGH, "intake", ""),
    (THROUGH, "symptom", "_like"),
]


def _dropped(apps, schema_editor):
    for model_name, field_name, suffix in DROPPED:
        if model_name == THROUGH:
            model = (
                apps.get_model("intake", "intake")._meta.get_field("symptoms").remote_field.through
            )
        else:
            model = apps.get_model("intake", model_name)
        field = model._meta.get_field(field_name)
        name = schema_editor._create_index_name(model._meta.db_table, [field.column], suffix=suffix)
        yield model, field, suffix, name


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # (SQLite has no pattern indexes, and keeps its indexes as they were)
    for model, _field, _suffix, name in _dropped(apps, schema_editor):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, field, suffix, _name in _dropped(apps, schema_editor):
        if suffix == "_like":
            schema_editor.execute(schema_editor._create_like_index_sql(model, field))
        else:
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


def keep_triggers(apps, schema_editor):
    # SQLite alters a column by rebuilding its table, which drops the table's triggers: put
    # back the queue-count triggers (0010) and the append-only ones (0003, 0007, 0011) of the
    # tables altered here, either way. PostgreSQL alters in place and keeps them.
    vendor = schema_editor.connection.vendor
    if vendor != "sqlite":
        return
    append_only = ("intake_auditevent", "intake_contactattempt", "intake_intakeevent")
    for sql in [
        *queue_counts.drop_statements(vendor),
        *queue_counts.create_statements(vendor),
        *db_triggers.create_statements(vendor, append_only),
    ]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0015_sessions_with_draft"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, keep_triggers, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="who",
            ),
        ),
        migrations.AlterField(
            model_name="contactattempt",
            name="intake",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contact_attempts",
                to="intake.intake",
            ),
        ),
        migrations.AlterField(
            model_name="intake",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_intakes",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assigned to",
            ),
        ),
        migrations.AlterField(
            model_name="intakeevent",
            name="intake",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="intake.intake",
            ),
        ),
        migrations.AlterField(
            model_name="substanceuse",
            name="intake",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="substance_uses",
                to="intake.intake",
            ),
        ),
        migrations.AlterField(
            model_name="substanceuse",
            name="substance",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="intake.substance",
                verbose_name="substance",
            ),
        ),
        migrations.AddIndex(
            model_name="substanceuse",
            index=models.Index(fields=["substance"], name="substanceuse_substance"),
        ),
        migrations.RunPython(drop_indexes, create_indexes, elidable=False),
        migrations.RunPython(keep_triggers, migrations.RunPython.noop, elidable=False),
    ]
