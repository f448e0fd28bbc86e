"""Accounts: users, tokens (API bearer and page sessions), and roles in shops."""

from livebazaar.accounts.actions import (
    IssuedToken,
    add_membership,
    do_grant_role,
    do_log_in,
    do_log_out,
    do_register,
    do_set_admin,
)
from livebazaar.accounts.actor_cache import ActorCache
from livebazaar.accounts.models import Membership, Role, TokenKind, User
from livebazaar.accounts.passwords import Passwords
from livebazaar.accounts.queries import (
    Actor,
    check_shop_role,
    get_actor_by_token,
    get_user,
    list_members,
    list_roles,
)

__all__ = [
    "Actor",
    "ActorCache",
    "IssuedToken",
    "Membership",
    "Passwords",
    "Role",
    "TokenKind",
    "User",
    "add_membership",
    "check_shop_role",
    "do_grant_role",
    "do_log_in",
    "do_log_out",
    "do_register",
    "do_set_admin",
    "get_actor_by_token",
    "get_user",
    "list_members",
    "list_roles",
]
