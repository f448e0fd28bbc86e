"""Shared building blocks every feature may use: money, ids, clock, errors, db, events."""
