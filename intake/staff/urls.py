from django.contrib.auth import views as auth_views
from django.urls import path

from . import (
    second_factor,
    views_exports,
    views_intake,
    views_overview,
    views_queue,
    views_settings,
)
from .forms import StaffLoginForm

app_name = "staff"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="staff/login.html",
            redirect_authenticated_user=True,
            authentication_form=StaffLoginForm,
            http_method_names=["get", "post", "head", "options"],  # no PUT-as-POST
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", second_factor.verify, name="verify"),
    path("lost-device/", second_factor.lost_device, name="lost_device"),
    path("", views_queue.queue, name="queue"),
    path("queue/live/", views_queue.queue_live, name="queue_live"),
    path("settings/", views_settings.my_settings, name="settings"),
    path("followups/", views_queue.my_followups, name="followups"),
    path("export.csv", views_exports.export_csv, name="export"),
    path("overview/", views_overview.overview, name="overview"),
    path("intake/<str:reference>/", views_intake.intake_detail, name="intake"),
    *(
        path(f"intake/<str:reference>/{name}/", view, name=f"intake_{name}")
        for name, view in views_intake.ACTION_VIEWS.items()
    ),
    path("intake/<str:reference>/print/", views_exports.intake_print, name="intake_print"),
]
