"""What the live-show API accepts and returns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from livebazaar.kernel.money import MoneyOut
from livebazaar.kernel.text import Clean
from livebazaar.live.events import ChatMessageSent, ReactionKind
from livebazaar.live.models import Grant, HostRole, SanctionKind, ShowStatus

Id = Annotated[str, Field(min_length=1, max_length=36), Clean]
Lineup = Annotated[list[Id], Field(max_length=100)]


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # year 9999 with a negative offset, and the like
        raise ValueError("date out of range") from exc


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class ShowIn(BaseModel):
    shop_id: Id
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")
    scheduled_at: UtcDatetime
    lineup: Lineup = Field(default_factory=list)
    description: str = Field(default="", max_length=5000)


class PinIn(BaseModel):
    product_id: Id | None


class CohostIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class GrantsIn(BaseModel):
    grants: list[Grant] = Field(max_length=20, description="Each at most once; order ignored")


class GrantsOut(BaseModel):
    show_id: str
    user_id: str
    grants: list[Grant]


class ChatIn(BaseModel):
    # The configured limit (settings.chat_max_length) is checked after stripping.
    text: str = Field(max_length=10_000)


class SlowModeIn(BaseModel):
    seconds: int = Field(ge=0, le=300)


class MuteIn(BaseModel):
    user_id: Id
    minutes: int = Field(ge=1, le=60 * 24 * 30)


class BanIn(BaseModel):
    user_id: Id


class ReactionIn(BaseModel):
    kind: ReactionKind


BlockedWords = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=500)
]


class HostOut(BaseModel):
    user_id: str
    display_name: str
    role: HostRole


class LineupItemOut(BaseModel):
    product_id: str
    title: str
    image_url: str | None
    variant_id: str  # the variant whose price the lineup shows (product.price_changed names it)
    price: MoneyOut
    position: int


ChatMessageOut = ChatMessageSent


class ShowOut(BaseModel):
    id: str
    shop_id: str
    title: str
    description: str
    status: ShowStatus
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    hosts: list[HostOut]
    lineup: list[LineupItemOut]
    pinned_product_id: str | None
    slow_mode_s: int
    viewer_count: int
    recent_chat: list[ChatMessageOut]
    last_seq: int


class CoverOut(BaseModel):
    """A picture for a show's card: the first image of a lineup product (the pinned one first)."""

    product_id: str
    product_title: str  # the image's text alternative on a card
    image_url: str


class ShowSummaryOut(BaseModel):
    id: str
    shop_id: str
    title: str
    status: ShowStatus
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    pinned_product_id: str | None
    shop_name: str
    shop_country: str  # ISO 3166-1 alpha-2
    cover: CoverOut | None
    reminded: bool | None = Field(
        default=None, description="Whether the signed-in caller set a reminder (null: anonymous)"
    )
    reminders: int | None = Field(
        default=None, description="How many viewers set a reminder: for the show's hosts only"
    )


class ReminderOut(BaseModel):
    show_id: str
    created_at: datetime


class InviteOut(BaseModel):
    show_id: str
    invitee_id: str
    invited_by: str
    created_at: datetime
    accepted_at: datetime | None
    declined_at: datetime | None


class SanctionOut(BaseModel):
    id: str
    shop_id: str
    show_id: str | None = Field(
        description="The show it applies in; null: every show of the shop (a co-host's mute "
        "stays in their show unless the shop's owner granted them shop_sanctions)"
    )
    user_id: str
    kind: SanctionKind
    until: datetime | None


class SanctionedUserOut(BaseModel):
    """Someone who may not chat in the show now: one entry per person, however many mutes
    and bans they were given."""

    user_id: str
    display_name: str
    banned: bool = Field(description="Banned from the chat of every show of the shop")
    shop_wide: bool = Field(
        description="A mute or ban in force applies in every show of the shop (lifting it "
        "takes the power to sanction shop-wide; otherwise only this show's mutes)"
    )
    muted_until: datetime | None = Field(
        description="When the latest mute in force ends (null: not muted, or only banned)"
    )


class BlockedWordsOut(BaseModel):
    shop_id: str
    words: list[str]


class SlowModeOut(BaseModel):
    show_id: str
    seconds: int


class ClientChatFrame(BaseModel):
    """What a client may send over the show's WebSocket: a chat message..."""

    type: Literal["chat"]
    text: str = Field(max_length=10_000)


class ClientReactionFrame(BaseModel):
    """...or a reaction."""

    type: Literal["reaction"]
    kind: ReactionKind


ClientFrame = Annotated[ClientChatFrame | ClientReactionFrame, Field(discriminator="type")]


class LiftedOut(BaseModel):
    lifted: int  # how many mutes and bans were lifted
