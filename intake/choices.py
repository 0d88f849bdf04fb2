"""Workflow and decision vocabularies used by the models, the staff pages and the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake import catalog
from intake.catalog import codes


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    CONTACTED = "contacted", _("Contacted")
    ADMITTED = "admitted", _("Admitted")
    REFERRED_OUT = "referred_out", _("Referred out")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")
    CLOSED = "closed", _("Closed")


# Where each status may go next. Closed intakes can be reopened into review.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    # A person reached on the first call may decline services there and then.
    Status.NEW: (
        Status.IN_REVIEW,
        Status.CONTACTED,
        Status.DECLINED,
        Status.NO_RESPONSE,
        Status.CLOSED,
    ),
    Status.IN_REVIEW: (Status.CONTACTED, Status.DECLINED, Status.NO_RESPONSE, Status.CLOSED),
    Status.CONTACTED: (
        Status.ADMITTED,
        Status.REFERRED_OUT,
        Status.DECLINED,
        Status.NO_RESPONSE,
        Status.CLOSED,
    ),
    Status.ADMITTED: (Status.CLOSED,),
    Status.REFERRED_OUT: (Status.CLOSED,),
    Status.DECLINED: (Status.CLOSED,),
    Status.NO_RESPONSE: (Status.CONTACTED, Status.DECLINED, Status.CLOSED),
    Status.CLOSED: (Status.IN_REVIEW,),
}
OPEN_STATUSES = (Status.NEW, Status.IN_REVIEW, Status.CONTACTED, Status.NO_RESPONSE)


class Escalation(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    CRISIS = "crisis", _("Crisis")
    NONE = "none", _("None")


class Track(models.TextChoices):
    DETOX = "detox", _("Detox")
    INPATIENT = "inpatient", _("Inpatient")
    OUTPATIENT = "outpatient", _("Outpatient")


class Flag(models.TextChoices):
    """A flag's short name (badges, the queue filter); catalog.FLAGS explains each."""

    MEDICAL = "medical", _("Medical")
    CO_OCCURRING = "co_occurring", _("Co-occurring")
    PRIORITY_POPULATION = "priority_population", _("Priority population")
    DUTIES_FIT_OUTPATIENT = "duties_fit_outpatient", _("Duties fit outpatient")


# The codes and their order are the catalog's (ranks: catalog.ESCALATION_RANK, TRACK_RANK);
# the labels are written out here so that makemessages finds them.
assert tuple(Escalation.values) == codes(catalog.ESCALATIONS)
assert tuple(Track.values) == codes(catalog.TRACKS)
assert tuple(Flag.values) == codes(catalog.FLAGS)

# The flags besides priority population, and the Intake columns they are copied to so that the
# queue filters on a column rather than on the decision's JSON.
FLAG_FIELDS = {
    Flag.MEDICAL: "flag_medical",
    Flag.CO_OCCURRING: "flag_co_occurring",
    Flag.DUTIES_FIT_OUTPATIENT: "flag_duties",
}
