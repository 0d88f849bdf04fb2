#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Lets a command run locally without SECRET_KEY (see config/settings.py); servers are strict.
    os.environ["INTAKE_ENTRY_POINT"] = "manage.py"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
