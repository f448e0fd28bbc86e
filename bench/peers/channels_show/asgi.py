"""The ASGI application: Django's HTTP views and the show consumer on one port."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "channels_show.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

http = get_asgi_application()  # sets Django up before the consumer's imports

from django.urls import path  # noqa: E402

from channels_show.consumers import ShowConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": URLRouter([path("api/shows/<str:show_id>/events", ShowConsumer.as_asgi())]),
    }
)
