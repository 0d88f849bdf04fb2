"""Writes go through these functions (keyword-only, `<noun>_<verb>`, one transaction each)."""
