"""Sessions move to intake's own table (intake.models.Session, SESSION_ENGINE
"intake.sessions"), which also keeps the draft a patient's session points at.

The live rows of django_session are moved, each with the draft id its data names, and the old
table is emptied (its rows hold resume tokens, and clearsessions no longer looks there):
nobody is signed out and no patient loses their draft at deploy. The session store keeps
Django's class name, so the data is signed with the same salt and reads the same. Sessions an
old app instance writes after this migration ran are not moved: restart every instance with it.
Reversed, the sessions go back to django_session.
"""

import uuid

import django.db.models.deletion
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.utils import timezone

BATCH = 1000


def _draft_id(session_data):
    try:
        return uuid.UUID(str(SessionStore().decode(session_data)["intake_draft"]))
    except (KeyError, ValueError):
        return None


def _move(source, target, *, with_draft):
    rows = []
    live = source.objects.filter(expire_date__gt=timezone.now()).order_by("session_key")
    for row in live.iterator(chunk_size=BATCH):
        moved = target(session_key=row.session_key, session_data=row.session_data,
                       expire_date=row.expire_date)  # fmt: skip
        if with_draft:
            moved.draft_id = _draft_id(row.session_data)
        rows.append(moved)
    target.objects.bulk_create(rows, batch_size=BATCH)
    source.objects.all().delete()


def forwards(apps, schema_editor):
    _move(apps.get_model("sessions", "Session"), apps.get_model("intake", "Session"),
          with_draft=True)  # fmt: skip


def backwards(apps, schema_editor):
    _move(apps.get_model("intake", "Session"), apps.get_model("sessions", "Session"),
          with_draft=False)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0014_overdue_count_index_only"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                ("session_key", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="session key")),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                ("draft", models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="intake.draft")),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "intake_session",
                "abstract": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
