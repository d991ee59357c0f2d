"""Errors a user can act on: the CLI prints them as one line, never as a traceback."""


class UserError(Exception):
    """A mistake or a condition the user can fix (bad option, missing file, busy warehouse)."""
