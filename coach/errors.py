"""Errors a person can act on: every message says what to do next."""

from __future__ import annotations


class CoachError(Exception):
    """Base error; its message is shown to the person as it is."""


class RubricError(CoachError):
    """A rubric file is missing or malformed."""


class InputError(CoachError):
    """User input that cannot be scored (empty, too long...)."""
