"""Switching an account off ends its sessions at once (issue 8)."""

from django.urls import reverse

from intake.models import AuditEvent
from intake.sessions import session_model
from tests.conftest import StaffClient
from tests.test_admin_privileges import change_form_data


def test_deactivating_a_user_in_the_admin_ends_their_sessions(client, administrator, clinician):
    bob = StaffClient()
    bob.force_login(clinician)
    assert bob.get(reverse("staff:queue")).status_code == 200
    key = bob.session.session_key
    assert session_model().objects.filter(session_key=key).exists()

    client.force_login(administrator)
    data = change_form_data(client, clinician)
    data.pop("is_active", None)  # the box unticked
    response = client.post(reverse("admin:intake_user_change", args=[clinician.pk]), data)
    assert response.status_code == 302

    # The session row is gone at once: nothing left to reuse, on this or any app instance.
    assert not session_model().objects.filter(session_key=key).exists()
    after = bob.get(reverse("staff:queue"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("staff:login"))
    assert AuditEvent.objects.filter(action="admin", detail__contains="ended 1 session").exists()


def test_other_users_sessions_are_untouched(client, administrator, clinician, coordinator):
    alice = StaffClient()
    alice.force_login(coordinator)
    client.force_login(administrator)
    data = change_form_data(client, clinician)
    data.pop("is_active", None)
    client.post(reverse("admin:intake_user_change", args=[clinician.pk]), data)
    assert alice.get(reverse("staff:queue")).status_code == 200
