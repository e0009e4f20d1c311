"""Per-area parts of the one translation table assembled in :mod:`policy.i18n`."""
