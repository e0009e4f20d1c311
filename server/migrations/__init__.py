"""Alembic migrations; run with ``hopchibo db upgrade``."""
