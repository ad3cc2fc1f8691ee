"""Scoring: rubrics as data, the closed set of checks, and the scorer (pure, offline)."""
