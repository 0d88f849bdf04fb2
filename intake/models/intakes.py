"""A submitted intake, the substances it reports and the consent given with it.

An Intake row exists only once a person has submitted; answers in progress live in Draft.
The intake's answers are stored in typed columns (what staff filter, sort and read) with the
screening questionnaires' raw answers in one JSON column, so that the ROUTING.md document can
be rebuilt from a row exactly (intake/documents.py).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake import catalog
from intake.choices import OPEN_STATUSES, Escalation, Status, Track


class Intake(models.Model):
    reference = models.CharField(_("reference"), max_length=9, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # One intake per finished draft: the unique key makes a replayed final POST harmless.
    submission_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )

    # About the person.
    respondent = models.CharField(
        _("filled in by"), max_length=16, choices=catalog.RESPONDENTS, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=catalog.SEXES, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"), max_length=8, choices=catalog.CONTACT_METHODS, blank=True
    )
    voicemail_ok = models.BooleanField(_("voicemail is safe"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=catalog.LANGUAGES, default="en"
    )

    # Answers, as in the ROUTING.md document. null = not answered; an empty list is an answer.
    used_together = models.JSONField(_("used on the same day"), null=True, blank=True)
    symptoms = models.ManyToManyField(
        "intake.Symptom", blank=True, related_name="+", verbose_name=_("symptoms now")
    )
    symptoms_answered = models.BooleanField(default=False)
    withdrawal_seizures = models.BooleanField(_("withdrawal seizures"), null=True, blank=True)
    withdrawal_delirium = models.BooleanField(_("withdrawal delirium"), null=True, blank=True)
    prior_treatment = models.JSONField(_("earlier treatment"), null=True, blank=True)
    relapse_after_treatment = models.BooleanField(
        _("relapse after treatment"), null=True, blank=True
    )
    pregnant = models.BooleanField(_("pregnant"), null=True, blank=True)
    seizure_disorder = models.BooleanField(_("seizure disorder"), null=True, blank=True)
    liver_disease = models.BooleanField(_("liver disease"), null=True, blank=True)
    heart_disease = models.BooleanField(_("heart disease"), null=True, blank=True)
    kidney_disease = models.BooleanField(_("kidney disease"), null=True, blank=True)
    respiratory_disease = models.BooleanField(_("respiratory disease"), null=True, blank=True)
    # Raw questionnaire answers: {"audit_c": [..], "dast_10": [..], "phq_2": [..], "cssrs": {..}}
    screening = models.JSONField(_("screening answers"), default=dict, blank=True)
    housing = models.CharField(_("housing"), max_length=16, choices=catalog.HOUSING, blank=True)
    others_using_at_home = models.BooleanField(_("others using at home"), null=True, blank=True)
    unsafe_home = models.BooleanField(_("unsafe at home"), null=True, blank=True)
    has_support = models.BooleanField(_("has support people"), null=True, blank=True)
    duties = models.JSONField(_("duties"), null=True, blank=True)
    readiness = models.CharField(
        _("readiness"), max_length=16, choices=catalog.READINESS, blank=True
    )
    preference = models.CharField(
        _("preference"), max_length=16, choices=catalog.PREFERENCES, blank=True
    )

    # Insurance (optional).
    insurance_payer = models.CharField(_("insurance payer"), max_length=200, blank=True)
    insurance_member_id = models.CharField(_("member ID"), max_length=64, blank=True)
    self_pay = models.BooleanField(_("self-pay"), null=True, blank=True)

    # Staff workflow.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_intakes",
        verbose_name=_("assigned to"),
        db_index=False,  # intake_assigned and intake_my_followups lead with it
    )
    first_action_at = models.DateTimeField(_("first staff action"), null=True, blank=True)
    # The first-contact clock (intake/followup.py): when the next contact attempt is due (the
    # first-contact target until the first attempt, then the latest attempt's next due time;
    # null when none is due, and on a closed intake), and what the attempts so far came to.
    contact_due_at = models.DateTimeField(
        _("next contact due"), null=True, blank=True, editable=False
    )
    first_attempt_at = models.DateTimeField(
        _("first contact attempt"), null=True, blank=True, editable=False
    )
    first_reached_at = models.DateTimeField(
        _("first reached"), null=True, blank=True, editable=False
    )
    attempt_count = models.PositiveIntegerField(_("contact attempts"), default=0, editable=False)
    # Optimistic concurrency: every staff write bumps it; a write from a stale page is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    # Denormalised from the current decision and review, so the queue sorts on one index.
    current_decision = models.ForeignKey(
        "intake.RoutingDecision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    escalation = models.CharField(
        _("escalation"),
        max_length=10,
        choices=Escalation.choices,
        default=Escalation.NONE,
        editable=False,
    )
    track = models.CharField(
        _("track"), max_length=10, choices=Track.choices, default=Track.OUTPATIENT, editable=False
    )
    track_confirmed = models.BooleanField(
        _("track reviewed by a clinician"), default=False, editable=False
    )
    needs_review = models.BooleanField(_("needs clinician review"), default=False, editable=False)
    priority = models.BooleanField(_("priority population"), default=False, editable=False)
    # The other flags, so the queue filters on a column rather than the decision's JSON.
    flag_medical = models.BooleanField(_("medical flag"), default=False, editable=False)
    flag_co_occurring = models.BooleanField(_("co-occurring flag"), default=False, editable=False)
    flag_duties = models.BooleanField(_("duties fit outpatient"), default=False, editable=False)
    escalation_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    track_rank = models.PositiveSmallIntegerField(default=2, editable=False)

    class Meta:
        ordering = ["escalation_rank", "track_rank", "-priority", "submitted_at", "id"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        permissions = [
            ("work_queue", _("Can work the triage queue: contact, status, assignment, notes")),
            ("review_track", _("Can confirm or override the recommended track")),
            ("export_intakes", _("Can print and export intakes")),
            ("view_overview", _("Can see the overview charts")),
        ]
        indexes = [
            # The queue's order (ROUTING.md "Queue order"), with and without a status filter.
            models.Index(
                fields=["escalation_rank", "track_rank", "-priority", "submitted_at", "id"],
                name="intake_queue_order",
            ),
            models.Index(
                fields=["status", "escalation_rank", "track_rank", "-priority", "submitted_at"],
                name="intake_status_queue",
            ),
            # The queue as it opens (the open statuses): status IN (four values) cannot be read
            # in queue order from an index that leads with status, so the default queue had a
            # sequential scan and a sort spilled to disk at 100,000 intakes. This one holds only
            # open intakes, in queue order, with the id: each page's ids are an index-only scan.
            models.Index(
                fields=["escalation_rank", "track_rank", "-priority", "submitted_at", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="intake_open_queue",
            ),
            # The queue's counts per status and track: an index-only scan.
            models.Index(fields=["status", "track_rank"], name="intake_status_track"),
            models.Index(fields=["assigned_to", "status"], name="intake_assigned"),
            # The Overdue filter and its count; "My follow-ups" (one user's, soonest first). The
            # count groups the overdue intakes by status and track: with both in the index it is
            # an index-only scan, not a visit of every overdue row (PostgreSQL; SQLite ignores
            # INCLUDE).
            models.Index(
                fields=["contact_due_at"],
                include=["status", "track_rank"],
                name="intake_contact_due",
            ),
            models.Index(fields=["assigned_to", "contact_due_at"], name="intake_my_followups"),
            models.Index(fields=["submitted_at"], name="intake_submitted"),
            models.Index(fields=["last_name", "first_name"], name="intake_name"),
            models.Index(fields=["phone"], name="intake_phone"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="intake_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(escalation_rank__lte=2) & models.Q(track_rank__lte=2),
                name="intake_ranks_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: datetime.date) -> int | None:
        if not self.date_of_birth:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def is_minor(self) -> bool:
        age = self.age_on(timezone.localdate(self.submitted_at))
        return age is not None and age < 18


class SubstanceUse(models.Model):
    # Indexed by substanceuse_once_per_intake, which leads with the intake; the substance by
    # substanceuse_substance (its code is only ever compared whole: no pattern index).
    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="substance_uses", db_index=False
    )
    substance = models.ForeignKey(
        "intake.Substance",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("substance"),
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(default=0)
    frequency = models.CharField(
        _("how often"), max_length=16, choices=catalog.FREQUENCIES, blank=True
    )
    amount_per_day = models.DecimalField(
        _("amount a day"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=8, choices=catalog.UNITS, blank=True)
    route = models.CharField(_("how taken"), max_length=10, choices=catalog.ROUTES, blank=True)
    duration_months = models.PositiveIntegerField(_("for how many months"), null=True, blank=True)
    last_use = models.CharField(_("last use"), max_length=10, choices=catalog.LAST_USE, blank=True)
    prescribed = models.BooleanField(_("prescribed"), null=True, blank=True)
    more_than_prescribed = models.BooleanField(_("more than prescribed"), null=True, blank=True)

    class Meta:
        ordering = ["intake", "position"]
        verbose_name = _("substance used")
        verbose_name_plural = _("substances used")
        indexes = [models.Index(fields=["substance"], name="substanceuse_substance")]
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "substance"], name="substanceuse_once_per_intake"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_per_day__isnull=True) | models.Q(amount_per_day__gte=0),
                name="substanceuse_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.substance_id


class Consent(models.Model):
    """What the person agreed to, in which wording, signed how and when (42 CFR Part 2)."""

    intake = models.OneToOneField(Intake, on_delete=models.CASCADE, related_name="consent")
    text_version = models.CharField(_("consent text version"), max_length=20)
    contact_ok = models.BooleanField(_("agreed to be contacted"))
    privacy_acknowledged = models.BooleanField(_("read the privacy notice"))
    disclosure_ok = models.BooleanField(_("agreed to disclosure"), default=False)
    disclosure_recipient = models.CharField(_("disclosure to"), max_length=300, blank=True)
    disclosure_purpose = models.CharField(_("disclosure purpose"), max_length=300, blank=True)
    disclosure_information = models.CharField(
        _("information disclosed"), max_length=300, blank=True
    )
    disclosure_expires = models.DateField(_("disclosure consent expires"), null=True, blank=True)
    signature = models.CharField(_("typed signature"), max_length=200)
    signed_on = models.DateField(_("date signed"))
    agreed_at = models.DateTimeField(_("agreed at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.intake_id} consent {self.text_version}"
