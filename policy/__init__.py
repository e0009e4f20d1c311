"""The rules of DOMAIN.md as pure functions over frozen values (no I/O)."""
