"""Unit-layer fixtures."""

from tests.support.cli_runner import cli  # noqa: F401  (a fixture, used by name)
