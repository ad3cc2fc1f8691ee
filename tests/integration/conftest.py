"""Integration-layer fixtures."""

import pytest

from coach.bootstrap import Services, build
from coach.config import Settings
from tests.support.cli_runner import cli  # noqa: F401  (a fixture, used by name)


@pytest.fixture
def svc(migrated_database_url: str) -> Services:
    """The services over a migrated database: SQLite, and PostgreSQL where configured."""
    return build(Settings(database_url=migrated_database_url, public_url=None))
