"""Optional LLM coaching behind one small interface."""
