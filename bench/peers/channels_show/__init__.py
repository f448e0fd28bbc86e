"""The peer of bench/fanout.py: what a Python team would otherwise write for a show's live
channel, Django Channels 4 with channels-redis. One consumer per viewer socket joins a group
per show; chat arrives over HTTP (or the socket) and every message is group_send to the show's
group; a drop announcement is an HTTP POST that group_sends one event. No batching, no replay.

Served by `python -m uvicorn channels_show.asgi:application --app-dir bench/peers --workers 2`
with DJANGO_SETTINGS_MODULE=channels_show.settings; bench/fanout.py starts it that way.
"""
