"""Who may grant what in the admin's user forms (issue 8, item 2).

The policy (docs/security.md):
- Only a superuser grants superuser status, individual permissions, or groups other than the
  three roles, and only a superuser changes a superuser's account (its password included).
- An administrator manages accounts within the three roles: creates them, gives or takes one of
  the role groups (Intake coordinators, Clinicians, Administrators), switches accounts on or off.
  Staff status (the admin site) follows the Administrators role; nobody but a superuser sets it.
- Nobody but a superuser changes their own roles or status: no self-elevation.
- Role definitions (a group's permissions) are changed by superusers only.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from intake.models import AuditEvent, User
from intake.models.users import ADMINISTRATORS, CLINICIANS, COORDINATORS
from tests.conftest import PASSWORD


def role(name: str) -> Group:
    return Group.objects.get(name=name)


def change_form_data(client, user: User, **changes) -> dict:
    """The change form's data as the page renders it, with ``changes`` applied."""
    page = client.get(reverse("admin:intake_user_change", args=[user.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name)
        if name == "groups":
            data[name] = [g.pk for g in (value or [])]
        elif name in ("date_joined", "last_login"):
            if value:
                data[f"{name}_0"] = value.strftime("%Y-%m-%d")
                data[f"{name}_1"] = value.strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "a long root password")


def test_administrator_cannot_make_themselves_superuser_then_override(
    client, administrator, submit
):
    """The exact attack: post is_superuser=on on one's own change form, then override a track."""
    client.force_login(administrator)
    url = reverse("admin:intake_user_change", args=[administrator.pk])
    data = change_form_data(client, administrator)
    data.update({"is_superuser": "on", "is_staff": "on"})
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    administrator.refresh_from_db()
    assert administrator.is_superuser is False
    # ...and so the clinician's track override is still refused.
    intake = submit()
    override = client.post(
        reverse("staff:intake_review", args=[intake.reference]),
        {
            "review-version": intake.version,
            "review-action": "override",
            "review-track": "inpatient",
            "review-reason": "I am the superuser now",
        },
    )
    assert override.status_code == 403
    intake.refresh_from_db()
    assert intake.version == 1


def test_the_superuser_box_is_not_even_on_an_administrators_form(client, administrator, clinician):
    client.force_login(administrator)
    page = client.get(reverse("admin:intake_user_change", args=[clinician.pk]))
    form = page.context["adminform"].form
    for name in ("is_superuser", "user_permissions", "is_staff"):
        assert name not in form.fields or form.fields[name].disabled, name
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="user_permissions"' not in page.content.decode()


def test_administrator_cannot_grant_permissions_or_superuser_to_another(
    client, administrator, clinician
):
    client.force_login(administrator)
    override = Permission.objects.get(codename="export_intakes")
    data = change_form_data(client, clinician)
    data.update({"is_superuser": "on", "is_staff": "on", "user_permissions": [override.pk]})
    client.post(reverse("admin:intake_user_change", args=[clinician.pk]), data)
    clinician.refresh_from_db()
    assert not clinician.is_superuser and not clinician.is_staff
    assert not clinician.user_permissions.exists()
    assert not clinician.has_perm("intake.export_intakes")


def test_administrator_gives_and_takes_roles_on_another_account(client, administrator, clinician):
    client.force_login(administrator)
    url = reverse("admin:intake_user_change", args=[clinician.pk])
    data = change_form_data(
        client, clinician, groups=[role(CLINICIANS).pk, role(ADMINISTRATORS).pk]
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    clinician.refresh_from_db()
    assert set(clinician.groups.values_list("name", flat=True)) == {CLINICIANS, ADMINISTRATORS}
    # Staff status (the admin site) comes with the Administrators role, and goes with it.
    assert clinician.is_staff and not clinician.is_superuser
    data = change_form_data(client, clinician, groups=[role(COORDINATORS).pk])
    assert client.post(url, data).status_code == 302
    clinician.refresh_from_db()
    assert list(clinician.groups.values_list("name", flat=True)) == [COORDINATORS]
    assert not clinician.is_staff
    # The audit trail says which roles changed, by name.
    details = list(AuditEvent.objects.filter(action="admin").values_list("detail", flat=True))
    assert any("+Administrators" in d for d in details), details
    assert any("-Clinicians" in d and "-Administrators" in d for d in details), details


def test_administrator_cannot_grant_a_group_outside_the_three_roles(
    client, administrator, clinician
):
    other = Group.objects.create(name="Auditors")
    other.permissions.add(Permission.objects.get(codename="delete_draft"))
    client.force_login(administrator)
    data = change_form_data(client, clinician, groups=[role(CLINICIANS).pk, other.pk])
    response = client.post(reverse("admin:intake_user_change", args=[clinician.pk]), data)
    assert response.status_code == 200  # the form says the choice is not valid
    assert "groups" in response.context["adminform"].form.errors
    clinician.refresh_from_db()
    assert list(clinician.groups.values_list("name", flat=True)) == [CLINICIANS]


def test_administrator_cannot_change_their_own_roles(client, administrator):
    client.force_login(administrator)
    url = reverse("admin:intake_user_change", args=[administrator.pk])
    data = change_form_data(
        client, administrator, groups=[role(ADMINISTRATORS).pk, role(CLINICIANS).pk]
    )
    client.post(url, data)
    administrator.refresh_from_db()
    assert list(administrator.groups.values_list("name", flat=True)) == [ADMINISTRATORS]
    assert not administrator.has_perm("intake.review_track")
    # Their own name and e-mail they may change.
    data = change_form_data(client, administrator, email="carol@example.org")
    assert client.post(url, data).status_code == 302
    administrator.refresh_from_db()
    assert administrator.email == "carol@example.org"


def test_administrator_cannot_change_a_superuser_or_their_password(
    client, administrator, superuser
):
    client.force_login(administrator)
    page = client.get(reverse("admin:intake_user_change", args=[superuser.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # a read-only page
    data = {"username": "root", "is_active": "", "email": "x@example.org"}
    response = client.post(reverse("admin:intake_user_change", args=[superuser.pk]), data)
    assert response.status_code == 403
    password = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": "taken over 1234567", "password2": "taken over 1234567"},
    )
    assert password.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.check_password("a long root password")


def test_adding_a_user_with_superuser_in_the_post_makes_no_superuser(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:intake_user_add"),
        {
            "username": "mallory",
            "usable_password": "true",
            "password1": "a long enough password 42",
            "password2": "a long enough password 42",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [role(ADMINISTRATORS).pk],
        },
    )
    assert response.status_code == 302
    mallory = User.objects.get(username="mallory")
    assert not mallory.is_superuser and not mallory.is_staff


def test_administrator_cannot_redefine_a_role(client, administrator):
    client.force_login(administrator)
    group = role(ADMINISTRATORS)
    url = reverse("admin:auth_group_change", args=[group.pk])
    review = Permission.objects.get(codename="review_track")
    response = client.post(
        url,
        {
            "name": ADMINISTRATORS,
            "permissions": [*group.permissions.values_list("pk", flat=True), review.pk],
        },
    )
    assert response.status_code == 403
    assert not group.permissions.filter(codename="review_track").exists()
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    assert client.get(url).status_code == 200  # reading a role's permissions is fine


def test_a_superuser_still_grants_anything(client, superuser, clinician):
    client.force_login(superuser)
    data = change_form_data(client, clinician, is_superuser="on", is_staff="on")
    response = client.post(reverse("admin:intake_user_change", args=[clinician.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    clinician.refresh_from_db()
    assert clinician.is_superuser and clinician.is_staff


def test_an_inactive_account_keeps_its_password(client, administrator, clinician):
    # Switching an account off is within an administrator's remit.
    client.force_login(administrator)
    data = change_form_data(client, clinician, is_active=None)
    data.pop("is_active", None)
    assert (
        client.post(reverse("admin:intake_user_change", args=[clinician.pk]), data).status_code
        == 302
    )
    clinician.refresh_from_db()
    assert not clinician.is_active and clinician.check_password(PASSWORD)
