"""The session engine (SESSION_ENGINE = "intake.sessions"): Django's database sessions on
intake's own table (intake.models.Session), as Django's documentation extends them, with two
round trips fewer where a wizard page spends them:

- **The draft with the session.** The session's query also reads the draft its data points at
  (``intake_draft``, repeated in the row's ``draft`` column on every save): a wizard page needs
  no query of its own for it (``draft_read``, used by intake.public.views.session_draft). The
  row is read in the same request, when the session is first used, as fresh as a query of its
  own a moment later; it is handed out once, and any later ask goes to the database.
- **An existing session written in one statement.** Django writes a session in
  ``transaction.atomic()``: BEGIN, UPDATE, COMMIT. Outside a transaction (every session a
  request saves: SessionMiddleware saves after the view) the UPDATE alone is as atomic, and a
  session deleted meanwhile still raises UpdateError (SessionInterrupted for the request).
  Creating a session (an INSERT that may meet a used key) and a save inside a transaction (a
  savepoint keeps a failure from spoiling it) stay Django's.
"""

from __future__ import annotations

import logging
import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils import timezone

# The session data's key for the patient's draft (intake.public.views binds it).
DRAFT_KEY = "intake_draft"


def session_model():
    """The configured engine's session model: intake.models.Session with this engine."""
    return import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()


def draft_id_of(data: dict) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(data[DRAFT_KEY]))
    except (KeyError, ValueError):
        return None


class SessionStore(db.SessionStore):
    # What the session's query read of its draft: (the draft id as a string, the Draft, or None
    # when no draft had that id), until draft_read() hands it out.
    _draft_read = None

    @classmethod
    def get_model_class(cls):
        from intake.models import Session

        return Session

    def _get_session_from_db(self):
        # Django's, with the draft joined.
        try:
            return self.model.objects.select_related("draft").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None

    def load(self):
        s = self._get_session_from_db()
        if s is None:
            self._draft_read = None
            return {}
        self._draft_read = None if s.draft_id is None else (str(s.draft_id), s.draft)
        return self.decode(s.session_data)

    def draft_read(self, draft_id: str | None):
        """``(True, draft)`` when the session's query read the draft ``draft_id`` (``draft`` is
        None if there was none of that id), once; else ``(False, None)``: ask the database."""
        read, self._draft_read = self._draft_read, None
        if read is None or read[0] != draft_id:
            return False, None
        return True, read[1]

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.draft_id = draft_id_of(data)
        return obj

    async def acreate_model_instance(self, data):
        obj = await super().acreate_model_instance(data)
        obj.draft_id = draft_id_of(data)
        return obj

    def save(self, must_create=False):
        using = router.db_for_write(self.model)
        if must_create or self.session_key is None or not transaction.get_autocommit(using):
            return super().save(must_create)
        obj = self.create_model_instance(self._get_session())
        try:
            obj.save(force_update=True, using=using)  # one UPDATE; none updated: DatabaseError
        except IntegrityError:
            raise
        except DatabaseError as error:
            raise UpdateError from error
