from livebazaar.kernel.errors import NotAuthenticated, NotFound


class InvalidStreamKey(NotAuthenticated):
    code = "invalid_stream_key"
    title = "The stream key is unknown or was rotated"


class NoRecording(NotFound):
    code = "no_recording"
    title = "The show has no replay"
