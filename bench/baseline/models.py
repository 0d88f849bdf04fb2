from django.db import models
from django.utils import timezone


class Item(models.Model):
    """A row about as wide as a queue row: a name, a status, a date, a few short fields."""

    name = models.CharField(max_length=100)
    status = models.CharField(max_length=16, default="new")
    rank = models.PositiveSmallIntegerField(default=0)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rank", "created_at", "id"]
        indexes = [models.Index(fields=["rank", "created_at", "id"], name="item_order")]

    def __str__(self) -> str:
        return self.name
