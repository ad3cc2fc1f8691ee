"""Use cases, each one transaction, and the record behind every export and summary."""
