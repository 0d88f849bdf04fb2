from django.conf import settings


def site(request):
    return {
        "CENTER_NAME": settings.CENTER_NAME,
        "CENTER_PHONE": settings.CENTER_PHONE,
        # Staff pages hide their links until the second factor is given (second_factor.py).
        "second_factor_missing": _second_factor_missing(request),
    }


def _second_factor_missing(request) -> bool:
    from intake.staff.second_factor import second_factor_missing

    return hasattr(request, "user") and second_factor_missing(request)
