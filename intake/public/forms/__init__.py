"""The patient intake's forms, one module per topic."""

from .about import AboutForm
from .consent import HONEYPOT, ConsentForm, EmailLinkForm, StartForm
from .health import HealthForm, SafetyForm
from .life import InsuranceForm, LifeForm
from .substances import SubstanceChoiceForm, SubstanceDetailsForm
from .symptoms import SymptomsForm
from .together import TogetherForm

__all__ = [
    "HONEYPOT",
    "AboutForm",
    "ConsentForm",
    "EmailLinkForm",
    "HealthForm",
    "InsuranceForm",
    "LifeForm",
    "SafetyForm",
    "StartForm",
    "SubstanceChoiceForm",
    "SubstanceDetailsForm",
    "SymptomsForm",
    "TogetherForm",
]
