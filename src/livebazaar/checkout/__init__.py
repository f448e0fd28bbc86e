"""Checkout: flash drops, claims (holds with an expiry), orders, the expiry sweeper."""

from livebazaar.checkout.queries import list_show_drops
from livebazaar.checkout.schemas import DropOut

__all__ = ["DropOut", "list_show_drops"]
