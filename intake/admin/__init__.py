"""The Django admin for Intake, split by concern (each module's docstring says what it holds).

Importing the modules registers their ModelAdmins with admin.site.
"""

from . import alerts, catalogs, intakes, records, users  # noqa: F401
