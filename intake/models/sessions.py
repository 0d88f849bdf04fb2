"""Browser sessions (SESSION_ENGINE = "intake.sessions"), with the draft a patient's points at.

Django's database session table, extended as its documentation describes ("Extending
database-backed session engines"): the ``draft`` column repeats the session data's
``intake_draft`` so that the session's own query reads the draft with it (one round trip where
a wizard page took two). Staff sessions leave it empty.
"""

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models

from .drafts import Draft


class Session(AbstractBaseSession):
    # No foreign key constraint and no index: the column is only ever joined from the session
    # row, a purged draft leaves it pointing nowhere (the join finds nothing: no draft), and a
    # draft's deletion touches no session.
    draft = models.ForeignKey(
        Draft,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "intake_session"

    @classmethod
    def get_session_store_class(cls):
        from intake.sessions import SessionStore

        return SessionStore
