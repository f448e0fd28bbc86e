"""Live-show refusals, each with a stable code."""

from livebazaar.kernel.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from livebazaar.kernel.text import N_


class ShowNotFound(NotFound):
    code = "show_not_found"
    title = N_("No such show")


class NotShowHost(Forbidden):
    code = "not_show_host"
    title = N_("Only the show's hosts may do this")


class NotModerator(Forbidden):
    code = "not_moderator"
    title = N_("Only the show's hosts and the shop's moderators may do this")


class ShowNotLive(Conflict):
    code = "show_not_live"
    title = N_("The show is not live")


class ShowAlreadyLive(Conflict):
    code = "show_already_live"
    title = N_("The show is already live")


class ShowEnded(Conflict):
    code = "show_ended"
    title = N_("The show has ended")


class ShowInPast(Invalid):
    code = "scheduled_in_past"
    title = N_("A show cannot be scheduled in the past")


class ProductNotInShop(Invalid):
    code = "product_not_in_shop"
    title = N_("A product is not one of this shop's products")


class ProductNotInLineup(Invalid):
    code = "product_not_in_lineup"
    title = N_("The product is not in the show's lineup")


class UserNotFound(NotFound):
    code = "user_not_found"
    title = N_("No such account")


class InviteNotFound(NotFound):
    code = "invite_not_found"
    title = N_("You have no invitation to co-host this show")


class InviteAnswered(Conflict):
    code = "invite_already_answered"
    title = N_("This invitation was already answered")


class AlreadyHost(Conflict):
    code = "already_host"
    title = N_("This account already hosts the show")


class ChatEmpty(Invalid):
    code = "chat_empty"
    title = N_("A chat message needs some text")


class ChatTooLong(Invalid):
    code = "chat_too_long"
    title = N_("The chat message is too long")


class BlockedWordUsed(Invalid):
    code = "blocked_word"
    title = N_("The message contains a word this shop does not allow")


class BlockedWordTooLong(Invalid):
    code = "blocked_word_too_long"
    title = N_("A blocked word may have at most 100 characters")


class ChatMuted(Forbidden):
    code = "chat_muted"
    title = N_("You are muted in this shop's chat for now")


class ChatBanned(Forbidden):
    code = "chat_banned"
    title = N_("You are banned from this shop's chat")


class SlowMode(RateLimited):
    code = "slow_mode"
    title = N_("Slow mode is on: wait before posting again")


class ChatMessageNotFound(NotFound):
    code = "chat_message_not_found"
    title = N_("No such chat message in this show")


class SignInToChat(NotAuthenticated):
    code = "not_authenticated"
    title = N_("Sign in to chat or react")


class CannotSanctionStaff(Forbidden):
    code = "cannot_sanction_staff"
    title = N_("The shop's members and the show's hosts cannot be muted or banned")


class ShopHostRequired(Forbidden):
    """A co-host asked for what only the shop's owners and hosts do (live/powers.py)."""

    code = "shop_host_required"
    title = N_("Only the shop's owners and hosts may do this")


class GrantRequired(Forbidden):
    """A co-host asked for what needs the owner's grant for the show; `grant` names it."""

    code = "grant_required"
    title = N_("A co-host may do this only if the shop's owner allows it")


class CohostNotFound(NotFound):
    code = "cohost_not_found"
    title = N_("This account was not invited to co-host this show")


class CohostNotAccepted(Conflict):
    code = "cohost_not_accepted"
    title = N_("Only a co-host who accepted the invitation can be given grants")


class ShowNotScheduled(Conflict):
    code = "show_not_scheduled"
    title = N_("Reminders are for shows that have not started yet")
