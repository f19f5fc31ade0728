"""Safeguarding training kiosk.

The package splits into a core (every module directly under `kiosk/`, no Qt)
and a thin Qt shell in `kiosk/ui/`. See docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"
