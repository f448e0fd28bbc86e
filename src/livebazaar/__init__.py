"""Livebazaar: self-hostable live commerce for small producers."""

__version__ = "0.1.0"
