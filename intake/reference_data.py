"""The rows every database needs: the ROUTING.md catalogs and the staff roles.

Loaded by migration 0002, with the historical models it passes as `apps`; the browser tests
load them again after a live-server test has emptied the database.
"""

from intake import catalog

ROLE_PERMISSIONS = {
    "Intake coordinators": [
        "intake.work_queue",
        "intake.view_intake",
        "intake.change_intake",
        "intake.add_intakeevent",
    ],
    "Clinicians": [
        "intake.work_queue",
        "intake.view_intake",
        "intake.change_intake",
        "intake.add_intakeevent",
        "intake.review_track",
        "intake.add_trackreview",
    ],
    "Administrators": [
        "intake.work_queue",
        "intake.view_intake",
        "intake.change_intake",
        "intake.add_intakeevent",
        "intake.export_intakes",
        "intake.view_overview",
        "intake.view_auditevent",
        "intake.view_alert",
        "intake.view_alertattempt",
        "intake.view_routingdecision",
        "intake.view_trackreview",
        "intake.view_intakeevent",
        "intake.view_consent",
        "intake.view_substanceuse",
        "intake.view_draft",
        "intake.delete_draft",
        "intake.view_ratelimit",
        "intake.view_substance",
        "intake.change_substance",
        "intake.view_symptom",
        "intake.change_symptom",
        "intake.view_user",
        "intake.add_user",
        "intake.change_user",
        "auth.view_group",
        "auth.change_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
}


def load_catalogs(apps) -> None:
    Substance = apps.get_model("intake", "Substance")
    Symptom = apps.get_model("intake", "Symptom")
    for position, (code, label) in enumerate(catalog.SUBSTANCES):
        Substance.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "position": position,
                "cns_depressant": code in catalog.CNS_DEPRESSANTS,
                "dangerous_withdrawal": code in catalog.DANGEROUS_WITHDRAWAL,
            },
        )
    for position, symptom in enumerate(catalog.SYMPTOMS):
        Symptom.objects.update_or_create(
            code=symptom.code,
            defaults={
                "label": symptom.label,
                "position": position,
                "overdose": symptom.overdose,
                "withdrawal": symptom.withdrawal,
                "side_effect": symptom.side_effect,
                "life_threatening": symptom.life_threatening,
            },
        )


def load_roles(apps) -> None:
    """The role groups with their permissions (which must exist already)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # A model added by a later migration has no permission yet in an earlier one;
            # that later migration loads the roles again (e.g. 0012 for the alerts).
            if permission is not None:
                group.permissions.add(permission)
