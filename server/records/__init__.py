"""Records security: recordings, data keys and retention (R6, R7); the audit log is server.audit."""
