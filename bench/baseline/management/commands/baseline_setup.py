"""Fill the baseline's table with N rows and sign in one user; print what the bench needs."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from bench.baseline.models import Item


class Command(BaseCommand):
    help = "Make the baseline's table N rows long and print a signed-in session (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True)

    def handle(self, *args, rows: int, **options):
        if Item.objects.count() != rows:
            self._fill(rows)
        user, _ = get_user_model().objects.get_or_create(username="bench")
        client = Client()
        client.force_login(user)
        self.stdout.write(json.dumps({"session": client.cookies["sessionid"].value}))

    def _fill(self, rows: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Item._meta.db_table}")  # noqa: S608
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {Item._meta.db_table} "  # noqa: S608
                    "(name, status, rank, phone, email, created_at) "
                    "SELECT 'Person ' || i, (ARRAY['new','in_review','contacted'])[1 + i %% 3], "
                    "i %% 3, '555-555-' || lpad((i %% 10000)::text, 4, '0'), "
                    "'person' || i || '@example.org', now() - (i || ' minutes')::interval "
                    "FROM generate_series(1, %s) AS i",
                    [rows],
                )
                cursor.execute(f"VACUUM ANALYZE {Item._meta.db_table}")
            else:
                Item.objects.bulk_create(
                    (Item(name=f"Person {i}", rank=i % 3) for i in range(rows)), batch_size=500
                )
