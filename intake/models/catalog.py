"""Substance and symptom catalogs.

Codes and flags come from ROUTING.md and are loaded by a data migration. Labels may be edited
in the admin and name these rows there only: the patient's form and the staff pages read their
texts from intake/catalog.py (translated), and the routing engine is versioned and reads its own
copy of the flags, so an edit in the admin can never silently change a clinical rule.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Substance(models.Model):
    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    label = models.CharField(_("label shown to patients"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    cns_depressant = models.BooleanField(_("CNS depressant"), default=False, editable=False)
    dangerous_withdrawal = models.BooleanField(
        _("dangerous withdrawal"), default=False, editable=False
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("substance")
        verbose_name_plural = _("substances")

    def __str__(self) -> str:
        return self.label


class Symptom(models.Model):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    label = models.CharField(_("label shown to patients"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    overdose = models.BooleanField(_("overdose sign"), default=False, editable=False)
    withdrawal = models.BooleanField(_("withdrawal sign"), default=False, editable=False)
    side_effect = models.BooleanField(_("side effect"), default=False, editable=False)
    life_threatening = models.BooleanField(_("life-threatening"), default=False, editable=False)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")

    def __str__(self) -> str:
        return self.label
