"""Alerts to staff: what a message says (messages.py) and how it leaves (senders.py).

The rows live in intake/models/alerts.py; raising, sending and sweeping in
intake/services/alerts.py; the Celery tasks in intake/tasks.py.
"""
