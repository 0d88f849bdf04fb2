"""My settings: /staff/settings/ — today, whether I receive alerts by e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from intake.models import User


class MySettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["receives_alerts"]
        labels = {"receives_alerts": gettext_lazy("Receive alerts by e-mail")}

    def clean_receives_alerts(self):
        on = self.cleaned_data["receives_alerts"]
        if on and not self.instance.email:
            raise forms.ValidationError(
                _("Your account has no e-mail address. Ask an administrator to add one first.")
            )
        return on


@login_required
@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = MySettingsForm(data, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your settings are saved."))
            return redirect("staff:settings")
        status = 400
    else:
        status = 200
    return render(request, "staff/settings.html", {"form": form}, status=status)
