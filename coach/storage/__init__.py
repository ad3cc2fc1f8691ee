"""Persistence: ORM rows, migrations, transactions; hands out domain types only."""
