"""Commands registered on the main app (see cli.py); this module owns its own commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
