from livebazaar.kernel.errors import NotAuthenticated, NotFound
from livebazaar.kernel.text import N_


class InvalidStreamKey(NotAuthenticated):
    code = "invalid_stream_key"
    title = N_("The stream key is unknown or was rotated")


class NoRecording(NotFound):
    code = "no_recording"
    title = N_("The show has no replay")
