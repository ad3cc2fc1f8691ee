"""The consensus table written as CSV, XLSX, Markdown, JSON and HTML; hostile-text safe."""
