"""Print the demo clinician's and administrator's current sign-in codes (demo use only).

The codes come from the fictional secrets that `manage.py seed_demo` gives the demo accounts;
an account whose secret is not the demo one (re-enrolled, or a real account) is never shown.
"""

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .seed_demo import DEMO_TOTP_KEYS


class Command(BaseCommand):
    help = "Print the current authenticator codes of the demo accounts (seed_demo)."

    def handle(self, *args, **options):
        for username, key in DEMO_TOTP_KEYS.items():
            device = TOTPDevice.objects.filter(
                user__username=username, key=key, confirmed=True
            ).first()
            if device is None:
                self.stdout.write(f"  {username:<14} (not the demo secret: no code shown)")
                continue
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            seconds = device.step - (int(totp.time) - device.t0) % device.step
            self.stdout.write(
                f"  {username:<14} {totp.token():0{device.digits}d}   (for {seconds} more s)"
            )
