from django.urls import path

from . import resume, views

app_name = "intake"

# Paths name steps and pages only: no answer, name or intake id ever appears in a URL.
urlpatterns = [
    path("start/", views.start, name="start"),
    path("step/<slug:step_id>/", views.step, name="step"),
    path("help-now/", views.help_now, name="help_now"),
    path("done/", views.done, name="done"),
    path("save/", resume.save, name="save"),
    path("save/email/", resume.email_link, name="email_link"),
    path("forget/", resume.forget, name="forget"),
    path("resume/<str:token>/", resume.resume, name="resume"),
]
