"""Mission Coach: the functional core (never imports streamlit)."""

from __future__ import annotations

__version__ = "0.1.0"
