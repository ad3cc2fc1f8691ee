"""Reminders that reach people: email (any SMTP server) and chat webhooks."""
