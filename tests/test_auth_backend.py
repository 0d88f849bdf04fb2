"""Permissions read in one query (intake/staff/auth_backend.py), the same as Django's
ModelBackend reads them in two."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import User
from intake.staff.access import EXPORT, OVERVIEW, REVIEW_TRACK, WORK_QUEUE
from intake.staff.auth_backend import OneQueryPermissionsBackend
from tests.conftest import PASSWORD

QUEUE = reverse("staff:queue")
NEW = "intake.staff.auth_backend.OneQueryPermissionsBackend"
OLD = "django.contrib.auth.backends.ModelBackend"


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache yet


@pytest.fixture
def mixed(coordinator):
    """A coordinator with one permission of their own besides their role's."""
    coordinator.user_permissions.add(Permission.objects.get(codename="export_intakes"))
    return coordinator


@pytest.mark.parametrize("persona", ["coordinator", "clinician", "administrator", "no_role"])
def test_the_same_permissions_as_model_backend(request, persona, mixed):
    user = request.getfixturevalue(persona)
    ours = OneQueryPermissionsBackend().get_all_permissions(_fresh(user))
    assert ours == ModelBackend().get_all_permissions(_fresh(user))
    assert ours == ModelBackend().get_user_permissions(
        _fresh(user)
    ) | ModelBackend().get_group_permissions(_fresh(user))


def test_own_and_role_permissions_in_one_query(mixed):
    user = _fresh(mixed)
    with CaptureQueriesContext(connection) as ctx:
        assert user.has_perm(WORK_QUEUE)  # the role's
        assert user.has_perm(EXPORT)  # the person's own
        assert not user.has_perm(REVIEW_TRACK)  # asked of every backend, from the one cache
        assert not user.has_perms([WORK_QUEUE, OVERVIEW])
    assert len(ctx.captured_queries) == 1


def test_inactive_and_superusers(inactive, admin_user):
    assert OneQueryPermissionsBackend().get_all_permissions(_fresh(inactive)) == set()
    everything = OneQueryPermissionsBackend().get_all_permissions(_fresh(admin_user))
    assert len(everything) == Permission.objects.count()


def test_a_new_sign_in_goes_through_the_one_query_backend(clinician):
    request = RequestFactory().post("/staff/login/")
    user = authenticate(request, username="bob", password=PASSWORD)
    assert user == clinician
    assert user.backend == NEW


@pytest.mark.parametrize("backend", [NEW, OLD])
def test_sessions_of_either_backend_work_the_queue_with_one_permission_query(
    client, coordinator, backend
):
    client.force_login(coordinator, backend)
    assert client.session[BACKEND_SESSION_KEY] == backend
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    assert len([q for q in ctx.captured_queries if "auth_permission" in q["sql"]]) == 1


def test_the_permissions_sql_is_the_orms_built_once_a_process(mixed, clinician):
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from intake.staff.auth_backend import FIELDS

    def orm_union(user):
        own = ModelBackend()._get_user_permissions(user).values_list(*FIELDS).order_by()
        roles = ModelBackend()._get_group_permissions(user).values_list(*FIELDS).order_by()
        return own.union(roles)

    OneQueryPermissionsBackend().get_all_permissions(_fresh(clinician))
    fresh = _fresh(mixed)
    with CaptureQueriesContext(connection) as orm:
        expected = set(orm_union(fresh))
    user = _fresh(mixed)
    with (
        CaptureQueriesContext(connection) as ours,
        mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("built again")),
    ):
        permissions = OneQueryPermissionsBackend().get_all_permissions(user)
    assert [q["sql"] for q in ours.captured_queries] == [q["sql"] for q in orm.captured_queries]
    assert permissions == {f"{app}.{codename}" for app, codename in expected}


def test_get_user_reads_the_user_as_model_backend_does(clinician, inactive):
    backend = OneQueryPermissionsBackend()
    assert backend.get_user(clinician.pk) == clinician
    assert backend.get_user(str(clinician.pk)) == clinician
    with CaptureQueriesContext(connection) as ctx:
        assert backend.get_user(clinician.pk).username == "bob"
    assert len(ctx.captured_queries) == 1
    assert backend.get_user(inactive.pk) is None  # as ModelBackend: cannot authenticate
    assert ModelBackend().get_user(inactive.pk) is None
    assert backend.get_user(10**9) is None
