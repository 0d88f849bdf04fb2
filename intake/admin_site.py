"""The admin site: staff status and a second factor verified in this session, both required."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class IntakeAdminSite(AdminSite):
    site_header = "Intake administration"
    site_title = "Intake admin"

    def has_permission(self, request):
        # SecondFactorMiddleware sends an unverified user to the code page before this runs;
        # this check keeps the admin closed to a password alone even without it.
        return super().has_permission(request) and request.user.is_verified()


class IntakeAdminConfig(AdminConfig):
    default_site = "intake.admin_site.IntakeAdminSite"
