"""How many intakes the queue holds per status and track, kept by the database itself.

The queue shows a count on every status and track chip and needs the total for its pages. A
GROUP BY over every intake costs 24-28 ms at 100,000 (an index-only scan of all of them), on
every queue request; these 24 rows cost a fraction of a millisecond. Triggers on intake_intake
(intake/queue_counts.py, migration 0010) add and subtract in the same transaction as the change,
so the counts are never stale, whatever writes the row (the ORM, a bulk update, raw SQL).
Searches and other filters still count with a GROUP BY over what they match.
"""

from django.db import models


class QueueCount(models.Model):
    status = models.CharField(max_length=16)
    track_rank = models.PositiveSmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "queue count"
        constraints = [
            models.UniqueConstraint(fields=["status", "track_rank"], name="queuecount_once")
        ]

    def __str__(self) -> str:
        return f"{self.status}/{self.track_rank}: {self.n}"
