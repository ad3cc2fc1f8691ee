"""The domain: value types and pure rules (codes, voting, themes, elements, reminders)."""
