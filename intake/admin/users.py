"""Staff accounts and roles (groups), and who may grant what.

The privilege policy (docs/security.md, tests/test_admin_privileges.py):

- Only a superuser grants superuser status, individual permissions, or groups other than the
  three roles, and only a superuser changes an account that holds any of those (a superuser's
  password included): otherwise an administrator could take over an account above their own.
- An administrator manages accounts within the three roles: adds them, gives or takes the role
  groups, switches accounts on or off, sets names and passwords.
- Staff status (entry to this admin site) follows the Administrators role whenever someone who
  is not a superuser saves an account; only a superuser sets it by hand.
- Nobody but a superuser changes their own roles or status: no self-elevation.
- The roles' permissions are changed by superusers only (GroupAdmin below).
Every grant is on the audit trail with the role names that were given or taken.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from intake.models import User
from intake.models.users import ADMINISTRATORS, ROLES

from .base import AuditedAdminMixin, EstimatedCountPaginator

# Fields only a superuser sees on a user form: anything above the three roles.
SUPERUSER_ONLY = ("is_superuser", "user_permissions")


class StaffUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


class StaffUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


def within_roles(user: User) -> bool:
    """True if the account holds nothing beyond the three role groups (an administrator's remit)."""
    if user.is_superuser or user.user_permissions.exists():
        return False
    return not user.groups.exclude(name__in=ROLES).exists()


def _role_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True)) if user.pk else set()


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "roles",
        "receives_alerts",
        "is_active",
        "is_staff",
        "last_login",
    )
    list_filter = ("is_active", "receives_alerts", "is_staff", "is_superuser", "groups")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Alerts"), {"fields": ("receives_alerts",)}),
    )
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.action(description=_("Reset second sign-in step (lost phone)"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """Remove the accounts' authenticator apps and backup codes and end their sessions;
        each person sets up the app again at their next sign-in (staff:lost_device)."""
        from intake.staff.second_factor import reset_devices
        from intake.staff.sessions import end_sessions

        done = 0
        for user in queryset:
            if not self.has_change_permission(request, user):
                self.message_user(
                    request,
                    _("%(user)s is not an account you may change: not reset.") % {"user": user},
                    messages.ERROR,
                )
                continue
            removed = reset_devices(user)
            ended = end_sessions(user)
            self._audit(request, user, f"reset second factor ({removed} device(s), "
                        f"{ended} session(s) ended) of")  # fmt: skip
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Reset the second sign-in step of %(count)d account. They set it up again "
                    "at their next sign-in.",
                    "Reset the second sign-in step of %(count)d accounts. They set it up again "
                    "at their next sign-in.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    # --- the privilege policy -----------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in SUPERUSER_ONLY]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        readonly += ["is_staff", "last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["groups", "is_active"]  # no self-elevation, no self-lockout
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return within_roles(obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return within_roles(obj) and obj.pk != request.user.pk

    def save_model(self, request, obj, form, change):
        request._roles_before = _role_names(obj) if change else set()
        if not request.user.is_superuser and not change:
            obj.is_superuser = obj.is_staff = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        after = _role_names(user)
        if not request.user.is_superuser:
            is_administrator = ADMINISTRATORS in after
            if user.is_staff != is_administrator:
                user.is_staff = is_administrator
                user.save(update_fields=["is_staff"])
        before = getattr(request, "_roles_before", set())
        request._roles_changed = sorted(f"+{r}" for r in after - before) + sorted(
            f"-{r}" for r in before - after
        )

    def audit_suffix(self, request, obj) -> str:
        # The role names given and taken: staff roles, not health details.
        changed = getattr(request, "_roles_changed", None)
        return f" (roles {', '.join(changed)})" if changed else ""


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    """The roles: administrators may read what each role may do; superusers define them."""

    list_display = ("name", "member_count")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members=Count("user"))

    @admin.display(description=_("members"), ordering="members")
    def member_count(self, obj):
        return obj.members

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
