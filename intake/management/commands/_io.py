"""Reading intake documents from a file or standard input, for the commands."""

import json
import sys

from django.core.management.base import CommandError


def read_documents(path: str) -> tuple[list, bool]:
    """(documents, was_a_list). '-' reads standard input. Exit code 2 on unreadable input."""
    try:
        if path == "-":
            data = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
    except OSError as exc:
        raise CommandError(f"{path}: cannot read: {exc.strerror}", returncode=2) from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not JSON: {exc}", returncode=2) from None
    if isinstance(data, list):
        return data, True
    if isinstance(data, dict):
        return [data], False
    raise CommandError(f"{path}: expected a document or a list of documents", returncode=2)


def describe(index: int, many: bool) -> str:
    return f"document {index}: " if many else ""
