"""The strings the pages' ES modules show, as msgids (static/i18n.js `t(msgid, params)`).

Listed here, each marked with `N_`, so `pybabel extract` puts them in the catalogs; a page
embeds their translations as JSON (`i18n.js_catalog`). Placeholders are `{name}`, filled by
`t()` in the browser. Add a string here when a module starts calling `t()` with it.

Plurals (`tn(singular, plural, n, params)` in static/i18n.js, `tn` in templates) are pairs in
JS_PLURALS, marked with `ngettext` below so the extractor takes both forms; the page gets the
translation of each CLDR plural category (`i18n.js_catalog`).
"""

from __future__ import annotations

from livebazaar.kernel.text import N_

JS_MESSAGES: tuple[str, ...] = (
    # static/player.js, replay.js: the video's states
    N_("The video dropped. Reconnecting…"),
    N_("This browser cannot play the live video."),
    N_("Connecting to the video…"),
    N_("Waiting for the host's video…"),
    N_("The show has ended. Its replay is ready."),
    N_("The show has ended."),
    N_("The recording stopped playing. Trying again…"),
    N_("This browser cannot play the recording."),
    N_("This show has no recording."),
    N_("The recording could not be loaded. Reload the page to try again."),
    # static/show.js, replay.js, moments.js: the show's state
    N_("Live"),
    N_("Ended"),
    N_("Upcoming"),
    N_("{name} (co-host)"),
    N_("Pinned"),
    N_("First up"),
    N_("In this show"),
    N_("Pinned at {time}"),
    N_("Nothing was pinned or dropped in this show."),
    N_("live"),
    N_("sold out"),
    N_("ended"),
    N_("pinned: {title}"),
    N_("pin cleared"),
    N_("drop: {count} × {title}"),  # noqa: RUF001
    N_("drop: {count}"),
    # static/buy.js: buying
    N_("Reserving…"),
    N_("Reserved {total}. Paying…"),
    N_("Paid ✓ {total}. Thank you! Order {order}"),
    N_("Payment {status}. Order {order}"),
    N_("{error}. Your units stay reserved for a few minutes: try another card."),
    N_("Addresses in this country need a postal code."),
    N_("That is past the limit per buyer: you may take {count} more."),
    N_("You already hold as many as one buyer may take."),
    N_("You may take {count} more."),
    N_("Up to {count} per buyer."),
    N_("You hold too many unpaid reservations: pay for one first."),
    N_("You hold too many unpaid reservations: pay for one, or try again at {time}."),
    N_("{num} left"),
    # static/home.js: "Remind me"
    N_("The reminder did not change: {reason}"),
    N_("Reminder set: {title}"),
    N_("Reminder removed: {title}"),
    N_("The reminder did not change: the network failed. Try again."),
    # static/sign_in_sheet.js: signing in over the room
    N_("Too many attempts from your network. Try again in {minutes} minutes."),
    N_("Too many sign-in attempts for this account. Try again in {minutes} minutes."),
    N_("The connection failed. Try again."),
    # static/studio_golive.js, camera.js: going live
    N_("Turn on the camera to check the picture, then go live."),
    N_("Camera on: only you see this until you go live."),
    N_("Connecting…"),
    N_("You are live: viewers see this picture a few seconds later."),
    N_("The connection dropped. Reconnecting…"),
    N_("Video stopped. The show stays open: go live again, or end it."),
    N_("Could not go live: {detail}"),
    N_("Unmute microphone"),
    N_("Mute microphone"),
    N_("Connecting the video…"),
    N_("Starting the show…"),
    N_("End the show for everyone? Viewers can no longer buy, and it cannot go live again."),
    N_("This makes a new stream key. The video from this page keeps going; continue?"),
    N_("New key ready. The previous key no longer works."),
    N_("Selected: copy it with your device's copy command."),
    N_("Copied."),
    N_("The camera was not allowed: let this site use the camera and microphone, then try again."),
    N_("No camera was found on this device."),
    N_("The camera is busy: close other apps using it, then try again."),
    N_("The camera could not start."),
    N_("This browser cannot share a camera."),
    N_(
        "The camera needs a secure page: open the studio over https "
        "(or on this computer's localhost)."
    ),
    # static/studio.js, studio_stats.js: the studio's head and live panel
    N_("Scheduled"),
    N_("Reconnecting to the show…"),
    N_("Sales figures are not available yet."),
    N_("Sales figures: HTTP {status}"),
    N_("Sales figures paused: no connection."),
    # static/whip.js: publishing
    N_("The connection to the server keeps failing. Check the network, then go live again."),
    # static/studio_shop.js: the lineup, the pin and the drops
    N_("This show has no products yet."),
    N_("Pin"),
    N_("Unpin"),
    N_("Pin {title}"),
    N_("Unpin {title}"),
    N_("Unpinned."),
    N_("Pinned: viewers see it under the video."),
    N_("Units: a whole number from 1 to 1,000,000"),
    N_("Limit per buyer: a whole number from 1 to 1,000,000"),
    N_("The limit per buyer cannot be more than the units"),
    N_("Starting the drop…"),
    N_("Drop started: {quantity} at {price}."),
    N_("No drop yet."),
    N_("Product"),
    N_("Units left: {title}"),
    N_("End now"),
    N_("{left} of {total} left"),
    N_("{sold} sold · {waiting} waiting for payment"),
    N_("{sales} · ends in {clock}"),
    N_("End this drop now? Units not sold go back to the shelf."),
    N_("Drop ended."),
    # static/minor_units.js: a typed price
    N_("Type a price, e.g. {example}"),
    N_("A price is digits with at most one decimal point"),
    N_("Prices in {currency} have no decimals"),
    N_("Prices in this currency have no decimals"),
    N_("Prices in {currency} have at most {n} decimals"),
    N_("Prices in this currency have at most {n} decimals"),
    N_("That price is too large: at most {ceiling}"),
    N_("A price is more than zero"),
    # static/studio_chat.js, studio_sanctions.js: the chat and its moderation
    N_("No messages yet."),
    N_("Delete"),
    N_("Mute"),
    N_("Ban"),
    N_("Delete the message from {name}"),
    N_("Mute {name}"),
    N_("Ban {name} from the shop's chats"),
    N_("Ban {name} from the chat of every show of this shop?"),
    N_("Deleted the message from {name}."),
    N_("5 minutes"),
    N_("10 minutes"),
    N_("1 hour"),
    N_("1 day"),
    N_("{n} minutes"),
    N_("{name} is muted for {duration}."),
    N_("{name} is banned from the shop's chats."),
    N_("{n} seconds"),
    N_("Slow mode off."),
    N_("Slow mode: one message every {n} s."),
    N_("Slow mode: one message every {n} min."),
    N_("No word is blocked."),
    N_("Saved 1 blocked word."),
    N_("Saved {n} blocked words."),
    N_("{name}: banned"),
    N_("{name}: muted until {time}"),
    N_("{name}: muted"),
    N_("Loading…"),
    N_("Nobody is muted or banned in this shop."),
    N_("Nobody is muted or banned in this show."),
    N_("Could not load who is muted or banned: {error}"),
    N_("Lift"),
    N_("Lift the mute or ban of {name}"),
    N_("{name} may chat again."),
    N_("{name} had no mute or ban left to lift."),
    # static/seller.js, seller_forms.js: the seller dashboard (its htmx forms' sentences are
    # web/pages/seller.py's)
    N_("In your time zone: {zone}"),
    N_("Not saved (HTTP {status}). Reload the page and try again."),
    N_("Not saved: check the connection and try again."),
    N_("You were signed out: sign in again, then retry."),
    N_("Shop created. Opening it…"),
    N_("The upload failed: check the connection and try again."),
    N_("Choose or take a picture first"),
    N_("The picture is larger than 8 MB"),
    N_("Uploading…"),
    N_("Preparing the picture…"),
    N_("Picture added."),
    # static/studio_cohost.js, studio_invites.js: co-host invitations
    N_("No one invited yet."),
    N_("Withdraw"),
    N_("Waiting for an answer"),
    N_("Accepted"),
    N_("Declined"),
    N_("Type the email of their Livebazaar account."),
    N_("Inviting…"),
    N_("Invited {email}: they answer from their studio."),
    N_("What {name} may also do"),
    N_("Start and end drops"),
    N_("Choose drop prices"),
    N_("Stream key (OBS)"),
    N_("Ban across the shop"),
    N_("End the show"),
    N_("Saved what {name} may do."),
    N_("Withdraw the invitation of {name}? If they accepted, they no longer co-host this show."),
    N_("Invitation of {name} withdrawn."),
    N_("Declined: {title}."),
    # static/show.js: several live drops
    N_("{left} left"),
    # static/studio_stream.js: what viewers see
    N_("The show has ended: nothing is on air."),
    N_("Not on air: the show has not started. Going live starts it."),
    N_("On air: receiving your video over RTMP (OBS or an app)."),
    N_("On air: receiving your video over WHIP (this page or OBS)."),
    N_("The show is live but no video arrives: go live from this device, or start OBS."),
    N_("No picture"),
)


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural msgid pair for `pybabel extract` (a default keyword); translates nothing."""
    return singular, plural


JS_PLURALS: tuple[tuple[str, str], ...] = (
    # templates/show.html, static/show.js: the viewer count over the video; the studio's too
    # (templates/studio.html, static/studio_stats.js)
    ngettext("{n} watching", "{n} watching"),
)
