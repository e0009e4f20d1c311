"""Human text that cannot break what it is written into: names, titles, reasons, notes.

At the edge, :data:`Line` values (names, titles, reasons) may hold no control character and
:data:`Paragraph` values (descriptions, conclusions, notes) none but newline and tab; both are
capped in length. On the way out, :func:`one_line` and :func:`paragraph` make a value stored
before these checks (by an older version, or by hand) harmless: each control character becomes
a space, so a bad stored value degrades one field, never the meeting, document or log line it
is written into.

"Control" means Unicode category Cc (C0, DEL, C1), the line and paragraph separators and the
bidirectional embedding, override and isolate characters (which can make a name read as
something else).
"""

from __future__ import annotations

import re
from typing import Final

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_OTHER: Final = "\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL: Final = re.compile(f"[\\x00-\\x0a{_OTHER}]")
_CONTROL_BUT_LINES: Final = re.compile(f"[\\x00-\\x08{_OTHER}]")  # tab (09), newline (0a) kept
_SPACES: Final = re.compile(r" {2,}")


def _no_control(value: str) -> str:
    if _ANY_CONTROL.search(value):
        raise PydanticCustomError(
            "control_character", "must not contain control characters (newline, tab, escape …)"
        )
    return value


def _no_control_but_lines(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value.replace("\r\n", "\n")):
        raise PydanticCustomError(
            "control_character", "must not contain control characters (escape, backspace …)"
        )
    return value


#: for ``Annotated[str, Field(max_length=…), NoControl]``: one-line text (names, titles, reasons)
NoControl: Final = AfterValidator(_no_control)
#: for ``Annotated[str, Field(max_length=…), NoControlButLines]``: text with lines and tabs
NoControlButLines: Final = AfterValidator(_no_control_but_lines)


def one_line(value: str, max_len: int | None = None, *, empty: str = "") -> str:
    """``value`` as one harmless line: controls become spaces, spaces collapse, cut to
    ``max_len``; ``empty`` if nothing printable is left."""
    text = _SPACES.sub(" ", _ANY_CONTROL.sub(" ", value)).strip()
    if max_len is not None:
        text = text[:max_len].rstrip()
    return text or empty


def paragraph(value: str) -> str:
    """``value`` with its lines kept and every other control character a space."""
    return _CONTROL_BUT_LINES.sub(" ", value.replace("\r\n", "\n"))
