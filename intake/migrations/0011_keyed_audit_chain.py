"""The audit chain becomes keyed, numbered and TRUNCATE-proof.

Existing records are re-signed, once, under AUDIT_KEY (HMAC-SHA256) in their original order.
So that re-signing cannot launder earlier tampering, the unkeyed chain is checked first and the
result is written into a closing "seal" record (the first record signed in the new way after
them): "N earlier records re-signed; their unkeyed chain: intact" or the problems found. The
re-signing updates rows, so the UPDATE triggers are lifted for it and put back (with the new
TRUNCATE triggers on PostgreSQL) before the migration ends; SQLite loses its triggers when
Django rebuilds the table for the new columns, so they are put back at the end as well.
"""

import hashlib
import json

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from intake.db_triggers import create_statements, drop_statements, truncate_drop_statements

GENESIS = "0" * 64
# The append-only tables at this migration (later ones bring their own triggers).
TABLES = (
    "intake_contactattempt",
    "intake_trackreview",
    "intake_intakeevent",
    "intake_routingdecision",
    "intake_auditevent",
)


def _legacy_hash(event) -> str:
    """The unkeyed SHA-256 of migrations 0001–0010, frozen here."""
    payload = json.dumps(
        [
            event.prev_hash,
            event.created_at.isoformat(),
            event.actor_id,
            event.actor_username,
            event.action,
            event.intake_reference,
            event.ip_address,
            event.detail,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def rechain(apps, schema_editor):
    from intake.models.audit import AuditEvent as Current
    from intake.services.audit import record_key

    AuditEvent = apps.get_model("intake", "AuditEvent")
    events = list(AuditEvent.objects.order_by("id"))
    if not events:
        return
    problems = []
    previous = GENESIS
    for number, event in enumerate(events, start=1):
        if event.prev_hash != previous:
            problems.append(f"record {number} (id {event.pk}) does not follow the one before")
        if _legacy_hash(event) != event.hash:
            problems.append(f"record {number} (id {event.pk}) was changed after writing")
        previous = event.hash

    for sql in drop_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)
    key_id = settings.AUDIT_KEY_ID
    key = record_key(key_id)

    def sign(event, seq, prev_hash):
        # The current model's MAC over the historical row's fields.
        twin = Current(
            seq=seq,
            key_id=key_id,
            prev_hash=prev_hash,
            created_at=event.created_at,
            actor_id=event.actor_id,
            actor_username=event.actor_username,
            action=event.action,
            intake_reference=event.intake_reference,
            ip_address=event.ip_address,
            detail=event.detail,
        )
        return twin.compute_mac(key)

    previous = GENESIS
    for seq, event in enumerate(events, start=1):
        mac = sign(event, seq, previous)
        AuditEvent.objects.filter(pk=event.pk).update(
            seq=seq, key_id=key_id, prev_hash=previous, hash=mac
        )
        previous = mac

    outcome = "intact" if not problems else f"{len(problems)} problems: " + "; ".join(problems)
    detail = (
        f"{len(events)} earlier records re-signed with audit key {key_id}; "
        f"their unkeyed chain: {outcome}"
    )[:500]
    seal = AuditEvent(
        seq=len(events) + 1,
        key_id=key_id,
        prev_hash=previous,
        created_at=timezone.now(),
        actor_username="",
        action="seal",
        intake_reference="",
        detail=detail,
    )
    seal.hash = sign(seal, seal.seq, previous)
    seal.save()
    if schema_editor.connection.vendor == "postgresql":
        # Let the ALTER TABLE below run in this transaction (no pending foreign key checks).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for sql in create_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


def triggers(apps, schema_editor):
    for sql in create_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


def untruncate(apps, schema_editor):
    for sql in truncate_drop_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_queue_counts")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, null=True, unique=True, verbose_name="number"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=16, verbose_name="key"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed intake"),
                    ("print", "Printed intake"),
                    ("export", "Exported intakes"),
                    ("change", "Changed intake"),
                    ("assign", "Assigned intake"),
                    ("status", "Changed status"),
                    ("review", "Reviewed track"),
                    ("note", "Added note"),
                    ("contact", "Logged contact attempt"),
                    ("login", "Logged in"),
                    ("logout", "Logged out"),
                    ("login_failed", "Failed login"),
                    ("admin", "Admin change"),
                    ("submit", "Intake submitted"),
                    ("seal", "Audit chain keyed"),
                ],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, unique=True, verbose_name="number"
            ),
        ),
        migrations.RunPython(triggers, untruncate),
    ]
