"""Django's ModelBackend, with a user's permissions read in one query instead of two.

Every staff request checks permissions (staff_required, and the intake page asks twice more):
Django's ModelBackend reads them with one query for the user's own permissions and one for
their roles'. This backend reads both in one UNION, into the same per-request cache
(``user._perm_cache``) and with the same contents, so ModelBackend, still listed after it,
answers from that cache without a query of its own. ModelBackend stays listed so that a
session signed in through it (before this backend existed) still finds its backend: Django
ends a session whose backend is no longer in AUTHENTICATION_BACKENDS.

The UNION's SQL, and that of the signed-in user's read (``get_user``, every request), is built
by the ORM once a process and run with each user's id (intake.db.compiled).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from intake.db.compiled import CompiledRead

FIELDS = ("content_type__app_label", "codename")
_USER_ID = -7_351_002  # stands in for the user's id while the SQL is built (no user has it)


def _own_and_roles(user_id):
    """ModelBackend's two reads for the user with this id, in one UNION."""
    user = get_user_model()(pk=user_id)
    own = ModelBackend()._get_user_permissions(user).values_list(*FIELDS).order_by()
    roles = ModelBackend()._get_group_permissions(user).values_list(*FIELDS).order_by()
    return own.union(roles)


# Their SQL built once a process, run with each user's id (intake.db.compiled).
_every_permission = CompiledRead(lambda: Permission.objects.values_list(*FIELDS).order_by())
_permissions_of = CompiledRead(_own_and_roles, _USER_ID)
_user = CompiledRead(lambda pk: get_user_model()._default_manager.filter(pk=pk), _USER_ID)


class OneQueryPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        """ModelBackend's, the user read by SQL built once a process (every staff request
        reads the signed-in user)."""
        found = _user(get_user_model()._meta.pk.to_python(user_id))
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            rows = _every_permission() if user_obj.is_superuser else _permissions_of(user_obj.pk)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
