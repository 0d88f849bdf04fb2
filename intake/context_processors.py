"""What every page's template knows about the site, and the upkeep of the shell's fragments.

The shell (templates/base.html and its partials) keeps the parts that are the same for
everyone in Django's {% cache %} fragments, in the process's own memory
(CACHES["template_fragments"]). Each varies on what it shows: the language and the center's
name and phone from ``site`` below. They are never out of date in a running deployment, where
templates, translations and settings do not change; the two receivers below empty them when
they do (a test's override_settings, a template or translation edited under runserver).
"""

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.autoreload import file_changed

FRAGMENTS = "template_fragments"


def site(request):
    return {
        "CENTER_NAME": settings.CENTER_NAME,
        "CENTER_PHONE": settings.CENTER_PHONE,
        # Staff pages hide their links until the second factor is given (second_factor.py).
        "second_factor_missing": _second_factor_missing(request),
    }


def _second_factor_missing(request) -> bool:
    from intake.middleware import signed_in
    from intake.staff.second_factor import second_factor_missing

    # signed_in first: a patient's page builds no user.
    return hasattr(request, "user") and signed_in(request) and second_factor_missing(request)


@receiver(setting_changed)
def _forget_fragments_on_settings(**kwargs) -> None:
    if kwargs.get("setting") == "CACHES":
        return  # Django closes the caches itself; the alias may be gone
    caches[FRAGMENTS].clear()


@receiver(file_changed)
def _forget_fragments_on_edit(sender, file_path, **kwargs) -> None:
    if file_path.suffix != ".py":  # a .py change restarts the process anyway
        caches[FRAGMENTS].clear()
