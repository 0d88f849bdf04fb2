from django.contrib import admin
from django.urls import include, path

from intake import views
from intake.staff.forms import AdminLoginForm

admin.site.site_header = "Intake administration"
admin.site.site_title = "Intake admin"
admin.site.login_form = AdminLoginForm  # an over-long username is a form error, not a 500

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("intake/", include("intake.public.urls")),
    path("staff/", include("intake.staff.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", views.favicon),
]

handler400 = "intake.views.bad_request"
handler403 = "intake.views.permission_denied"
handler404 = "intake.views.page_not_found"
handler500 = "intake.views.server_error"
