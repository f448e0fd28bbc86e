"""Inventory: stock pools (a variant's shelf, a drop's carve-out) and atomic holds on them."""

from livebazaar.inventory.models import PoolKind, StockPool
from livebazaar.inventory.pools import (
    add_pool,
    confirm_sale,
    get_pool,
    get_shelf,
    lock_pool,
    put_units,
    release_hold,
    set_quantity,
    take_all_available,
    take_units,
    try_hold,
    unsell,
)

__all__ = [
    "PoolKind",
    "StockPool",
    "add_pool",
    "confirm_sale",
    "get_pool",
    "get_shelf",
    "lock_pool",
    "put_units",
    "release_hold",
    "set_quantity",
    "take_all_available",
    "take_units",
    "try_hold",
    "unsell",
]
