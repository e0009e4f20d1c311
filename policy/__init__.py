"""The rules of docs/domain.md as pure functions over frozen values (no I/O)."""
