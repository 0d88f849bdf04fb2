"""Substance and symptom catalogs: labels and order are editable, codes and flags are not.

What these labels change: how a substance or symptom is named inside the admin (an intake's
substance uses and symptoms). They do not change what patients read or what the staff pages
show: the patient's form, its translations and the staff pages read intake/catalog.py, and the
routing engine keeps its own copy of the flags, so no edit here changes a clinical rule.
"""

from __future__ import annotations

from django.contrib import admin

from intake.models import Substance, Symptom

from .base import IntakeModelAdmin


class CatalogAdmin(IntakeModelAdmin):
    list_editable = ("label", "position")
    search_fields = ("code", "label")
    ordering = ("position", "code")

    def has_add_permission(self, request):
        return False  # a code the engine does not know would be meaningless

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Substance)
class SubstanceAdmin(CatalogAdmin):
    list_display = ("code", "label", "position", "cns_depressant", "dangerous_withdrawal")
    list_filter = ("cns_depressant", "dangerous_withdrawal")
    fields = ("code", "label", "position", "cns_depressant", "dangerous_withdrawal")
    readonly_fields = ("code", "cns_depressant", "dangerous_withdrawal")


@admin.register(Symptom)
class SymptomAdmin(CatalogAdmin):
    list_display = (
        "code",
        "label",
        "position",
        "overdose",
        "withdrawal",
        "side_effect",
        "life_threatening",
    )
    list_filter = ("overdose", "withdrawal", "side_effect", "life_threatening")
    fields = list_display
    readonly_fields = ("code", "overdose", "withdrawal", "side_effect", "life_threatening")
