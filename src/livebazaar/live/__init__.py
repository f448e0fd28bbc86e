"""Live shows: lifecycle, hosts and co-hosts, lineup, pinned product, chat, show events."""

from livebazaar.live.channel import emit, show_topic
from livebazaar.live.errors import NotShowHost, ShowNotFound, ShowNotLive
from livebazaar.live.models import Show, ShowStatus
from livebazaar.live.queries import check_show_host, get_show, is_in_lineup

__all__ = [
    "NotShowHost",
    "Show",
    "ShowNotFound",
    "ShowNotLive",
    "ShowStatus",
    "check_show_host",
    "emit",
    "get_show",
    "is_in_lineup",
    "show_topic",
]
