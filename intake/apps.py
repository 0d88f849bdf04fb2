from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Audit of staff logins, logouts and failed logins (Django's auth signals); the shell's
        # cached fragments emptied when settings or templates change (tests, runserver).
        from intake import context_processors  # noqa: F401
        from intake.staff import lockout, sessions, signals  # noqa: F401
