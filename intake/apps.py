from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Audit of staff logins, logouts and failed logins (Django's auth signals).
        from intake.staff import lockout, sessions, signals  # noqa: F401
