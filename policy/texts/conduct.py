"""Translation table part: conduct. Keys are 'conduct.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {}
