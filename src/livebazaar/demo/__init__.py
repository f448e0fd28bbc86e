"""The demo: both seed stories (a pearl village, a coffee cooperative) and a simulated audience.

`stories` is the seed data, `seed` writes it through the HTTP API, `audience` plays viewers.
"""
