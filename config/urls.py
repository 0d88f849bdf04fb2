from django.contrib import admin
from django.urls import include, path
from two_factor.views import BackupTokensView, ProfileView

from intake import views
from intake.staff.forms import AdminLoginForm
from intake.staff.second_factor import QRGeneratorView, SetupView, setup_complete

# django-two-factor-auth's enrolment views, under /staff/ (its own login and "disable" pages
# are not used: the staff login is the password step, and only an administrator resets a
# device, see intake/staff/second_factor.py).
two_factor_patterns = [
    path("setup/", SetupView.as_view(), name="setup"),
    path("qrcode/", QRGeneratorView.as_view(), name="qr"),
    path("setup/complete/", setup_complete, name="setup_complete"),
    path("backup-codes/", BackupTokensView.as_view(), name="backup_tokens"),
    path("", ProfileView.as_view(), name="profile"),
]

admin.site.login_form = AdminLoginForm  # an over-long username is a form error, not a 500

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("intake/", include("intake.public.urls")),
    path("staff/two-factor/", include((two_factor_patterns, "two_factor"))),
    # The language switch (Django's set_language: POST, then back to the same page).
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("intake.staff.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", views.favicon),
]

handler400 = "intake.views.bad_request"
handler403 = "intake.views.permission_denied"
handler404 = "intake.views.page_not_found"
handler500 = "intake.views.server_error"
