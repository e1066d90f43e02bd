"""The request limits of the contract (CONTRACT.md), defined once: the settings, the CLI and the
HTTP schemas check against these, and GET /config serves them to the web chat.

Importing this module loads nothing heavy (the CLI's --help reads it).
"""

from __future__ import annotations

from index.modes import MODES, Mode

MAX_QUESTION_CHARS = 2000  # after trimming whitespace
MAX_HISTORY_TURNS = 20
TOP_K_MIN, TOP_K_MAX = 1, 20
DEFAULT_TOP_K = 5

# the modes a request may ask for are the index's
__all__ = ["DEFAULT_TOP_K", "MAX_HISTORY_TURNS", "MAX_QUESTION_CHARS", "MODES", "Mode"]
__all__ += ["TOP_K_MAX", "TOP_K_MIN"]
