"""Django's ModelBackend, with a user's permissions read in one query instead of two.

Every staff request checks permissions (staff_required, and the intake page asks twice more):
Django's ModelBackend reads them with one query for the user's own permissions and one for
their roles'. This backend reads both in one UNION, into the same per-request cache
(``user._perm_cache``) and with the same contents, so ModelBackend, still listed after it,
answers from that cache without a query of its own. ModelBackend stays listed so that a
session signed in through it (before this backend existed) still finds its backend: Django
ends a session whose backend is no longer in AUTHENTICATION_BACKENDS.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

FIELDS = ("content_type__app_label", "codename")


class OneQueryPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*FIELDS).order_by()
            else:
                own = self._get_user_permissions(user_obj).values_list(*FIELDS).order_by()
                roles = self._get_group_permissions(user_obj).values_list(*FIELDS).order_by()
                rows = own.union(roles)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
