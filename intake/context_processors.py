from django.conf import settings


def site(request):
    return {"CENTER_NAME": settings.CENTER_NAME, "CENTER_PHONE": settings.CENTER_PHONE}
