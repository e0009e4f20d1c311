"""Meeting conduct: the run-time agenda gate, attendance, open votes, documents, minutes and the
party-group cycle. Services here hold the logic with I/O; handlers in ``server/http/conduct*.py``
parse input and call them; the rules themselves stay in :mod:`policy`."""
