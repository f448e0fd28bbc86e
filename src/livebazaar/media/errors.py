from livebazaar.kernel.errors import NotAuthenticated


class InvalidStreamKey(NotAuthenticated):
    code = "invalid_stream_key"
    title = "The stream key is unknown or was rotated"
