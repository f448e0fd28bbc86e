"""Accounts: users, tokens (API bearer and page sessions), and roles in shops."""

from livebazaar.accounts.actions import (
    IssuedToken,
    add_membership,
    do_add_address,
    do_delete_address,
    do_grant_role,
    do_log_in,
    do_log_out,
    do_register,
    do_set_admin,
)
from livebazaar.accounts.actor_cache import ActorCache
from livebazaar.accounts.errors import AddressNotFound, PostalCodeRequired, RoleRequired
from livebazaar.accounts.models import Address, Membership, Role, TokenKind, User
from livebazaar.accounts.passwords import Passwords
from livebazaar.accounts.postal import (
    NO_POSTAL_CODE,
    POSTAL_CODE_OPTIONAL,
    check_deliverable,
    needs_postal_code,
)
from livebazaar.accounts.queries import (
    Actor,
    check_shop_role,
    get_actor_by_token,
    get_display_names,
    get_own_address,
    get_user,
    list_addresses,
    list_members,
    list_roles,
    list_user_roles,
)
from livebazaar.accounts.schemas import AddressFields, AddressIn, AddressOut

__all__ = [
    "NO_POSTAL_CODE",
    "POSTAL_CODE_OPTIONAL",
    "Actor",
    "ActorCache",
    "Address",
    "AddressFields",
    "AddressIn",
    "AddressNotFound",
    "AddressOut",
    "IssuedToken",
    "Membership",
    "Passwords",
    "PostalCodeRequired",
    "Role",
    "RoleRequired",
    "TokenKind",
    "User",
    "add_membership",
    "check_deliverable",
    "check_shop_role",
    "do_add_address",
    "do_delete_address",
    "do_grant_role",
    "do_log_in",
    "do_log_out",
    "do_register",
    "do_set_admin",
    "get_actor_by_token",
    "get_display_names",
    "get_own_address",
    "get_user",
    "list_addresses",
    "list_members",
    "list_roles",
    "list_user_roles",
    "needs_postal_code",
]
