"""live feature."""
