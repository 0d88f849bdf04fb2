from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

# Group names double as roles. Created by a data migration with their permissions.
COORDINATORS = "Intake coordinators"
CLINICIANS = "Clinicians"
ADMINISTRATORS = "Administrators"
ROLES = (COORDINATORS, CLINICIANS, ADMINISTRATORS)


class User(AbstractUser):
    """Staff account. Patients never log in."""

    receives_alerts = models.BooleanField(
        _("receives alerts"),
        default=False,
        help_text=_(
            "E-mail me when an emergency or crisis intake comes in, or when an intake waits "
            "past its first-contact target."
        ),
    )

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
