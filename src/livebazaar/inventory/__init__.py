"""inventory feature."""
