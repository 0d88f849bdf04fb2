from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _

# Group names double as roles. Created by a data migration with their permissions.
COORDINATORS = "Intake coordinators"
CLINICIANS = "Clinicians"
ADMINISTRATORS = "Administrators"
ROLES = (COORDINATORS, CLINICIANS, ADMINISTRATORS)


class User(AbstractUser):
    """Staff account. Patients never log in."""

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
