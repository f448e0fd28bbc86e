"""Django settings of the Channels peer: no database, no sessions, one Redis channel layer.

Django reads its settings module at start-up, so the bench passes the Redis URL, a key prefix
of its own (deleted afterwards) and the channel capacity in the environment.
"""

from __future__ import annotations

import os

SECRET_KEY = os.environ.get("FANOUT_PEER_SECRET", "bench-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["channels"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "channels_show.urls"
ASGI_APPLICATION = "channels_show.asgi.application"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [os.environ.get("FANOUT_PEER_REDIS_URL", "redis://127.0.0.1:6379/0")],
            "prefix": os.environ.get("FANOUT_PEER_PREFIX", "asgi"),
            # channels-redis's default: messages beyond it to one channel are dropped.
            "capacity": int(os.environ.get("FANOUT_PEER_CAPACITY", "100")),
        },
    }
}
