"""Product pictures uploaded from a phone: checked by decoding them, resized, turned upright
and re-encoded as JPEG, which also drops their metadata (a farmer's photo carries the farm's
GPS position in its EXIF). Pure CPU work: call it in a thread.

A phone stores a portrait photo as its sensor saw it (landscape) with an EXIF orientation tag
saying how to turn it; the re-encoded JPEG has no EXIF left to say so, so the pixels are turned.
FFmpeg's decoders (8 and later; tests/catalog/test_picture_upload.py fails before) read the
tag into the frame's display matrix, whose rotation PyAV gives (`VideoFrame.rotation`). Its
mirror part is not exposed, so the mirrored orientations (2, 4, 5, 7, which phone cameras do
not write) are only turned; Pillow's `ImageOps.exif_transpose` would cover them too, at the
cost of a dependency. Turning after the resize is the same picture for less work.

A picture is refused by the size its header declares before anything decodes it: a 1 MB PNG
can declare 16000x16000 pixels, and decoding it took a gigabyte (catalog/picture_header.py).
The callers also bound how many decode at once (web/routes/catalog.py).
"""

from __future__ import annotations

import io
from fractions import Fraction

import av
import av.error
import numpy as np

from livebazaar.catalog.errors import BadImage, ImageTooLarge, ImageTooManyPixels
from livebazaar.catalog.picture_header import picture_pixels

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# 8160x6120 (a 50 MP phone's full size) fits; decoding one costs ~75 MB (JPEG) to 200 MB (PNG).
MAX_PIXELS = 50_000_000
MAX_SIDE = 1600  # pixels on the longer side
_ACCEPTED = {"jpeg_pipe", "png_pipe", "webp_pipe"}
_QUALITY = 4  # mjpeg qscale: 2 (best) .. 31; 4 is close to a camera's "fine"


def prepare_product_image(data: bytes) -> bytes:
    """A JPEG of at most MAX_SIDE pixels a side; BadImage, ImageTooLarge or
    ImageTooManyPixels otherwise."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge()
    pixels = picture_pixels(data)
    if pixels is None or pixels == 0:
        raise BadImage()
    if pixels > MAX_PIXELS:
        raise ImageTooManyPixels()
    try:
        with av.open(io.BytesIO(data), "r") as container:
            if container.format.name not in _ACCEPTED or not container.streams.video:
                raise BadImage()
            frame = next(container.decode(video=0))
    except (av.error.FFmpegError, StopIteration, ValueError) as exc:
        raise BadImage() from exc
    scale = min(1.0, MAX_SIDE / max(frame.width, frame.height))
    width = max(2, round(frame.width * scale / 2) * 2)
    height = max(2, round(frame.height * scale / 2) * 2)
    picture = frame.reformat(width=width, height=height, format="yuvj420p")
    if turns := round(frame.rotation / 90) % 4:
        picture = _turned(picture, turns)
        width, height = picture.width, picture.height
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = width, height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.qmin = encoder.qmax = _QUALITY
    packets = [*encoder.encode(picture), *encoder.encode(None)]
    return b"".join(bytes(p) for p in packets)


def _turned(picture: av.VideoFrame, turns: int) -> av.VideoFrame:
    """The picture turned `turns` quarter turns counter-clockwise (as the display matrix's
    rotation counts), as a new frame."""
    pixels = np.ascontiguousarray(np.rot90(picture.to_ndarray(format="rgb24"), turns), np.uint8)
    return av.VideoFrame.from_ndarray(pixels, format="rgb24").reformat(format="yuvj420p")
