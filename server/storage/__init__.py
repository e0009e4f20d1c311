"""Persistence: the only package that imports SQLAlchemy. One repository module per domain."""
