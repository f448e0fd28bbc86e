"""The strings the pages' ES modules show, as msgids (static/i18n.js `t(msgid, params)`).

Listed here, each marked with `N_`, so `pybabel extract` puts them in the catalogs; a page
embeds their translations as JSON (`i18n.js_catalog`). Placeholders are `{name}`, filled by
`t()` in the browser. Add a string here when a module starts calling `t()` with it.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the gettext marker's conventional name)
    """Marks a msgid for extraction; translates nothing."""
    return message


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
    # static/home.js: "Remind me"
    N_("The reminder did not change: {reason}"),
    N_("Reminder set: {title}"),
    N_("Reminder removed: {title}"),
    N_("The reminder did not change: the network failed. Try again."),
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
    N_("Asking for a stream key…"),
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
    # static/seller.js, seller_forms.js: the seller dashboard
    N_("In your time zone: {zone}"),
    N_("Could not reload this section (HTTP {status}). Reload the page."),
    N_("You were signed out: sign in again, then retry."),
    N_("Orders shown: {status}."),
    N_("Type a whole number of units, 0 or more"),
    N_("Shop created. Opening it…"),
    N_("Producer added: {name}."),
    N_("Product added: {title}. Now add its picture."),
    N_("Stock set to {n}."),
    N_("Choose the date and time of the show"),
    N_("Show scheduled: {title}."),
    N_("Lineup saved: {n} products."),
    N_("The upload failed: check the connection and try again."),
    N_("Choose or take a picture first"),
    N_("The picture is larger than 8 MB"),
    N_("Uploading…"),
    N_("Preparing the picture…"),
    N_("Picture added."),
)
