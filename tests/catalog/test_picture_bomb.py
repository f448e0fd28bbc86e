"""A picture that declares more pixels than it is worth is refused by its header, before any
decoder allocates its frame: a 1 MB PNG of 16000x16000 took the server from 178 MB to 1.25 GB."""

from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys
import zlib
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
import pytest
from av.video.codeccontext import VideoCodecContext
from httpx import ASGITransport

from livebazaar.catalog.picture_header import picture_pixels
from tests.factories import make_product, make_shop
from tests.support import Api, assert_problem


def bomb_png(side: int = 16000) -> bytes:
    """A real, valid PNG of side x side black RGB pixels: ~750 KB that inflate to 768 MB."""
    packer = zlib.compressobj(9)
    row = bytes(1 + 3 * side)  # filter byte 0, then the pixels
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _encoded(codec: str, width: int, height: int, pix_fmt: str) -> bytes:
    encoder = cast("VideoCodecContext", av.CodecContext.create(codec, "w"))
    encoder.width, encoder.height, encoder.pix_fmt = width, height, pix_fmt
    encoder.time_base = Fraction(1, 25)
    image = np.full((height, width, 3), 90, np.uint8)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
    return b"".join(bytes(p) for p in [*encoder.encode(frame), *encoder.encode(None)])


@pytest.mark.parametrize(
    ("codec", "pix_fmt"), [("png", "rgb24"), ("mjpeg", "yuvj420p"), ("libwebp", "yuv420p")]
)
def test_the_size_is_read_from_the_header_of_each_format(codec: str, pix_fmt: str) -> None:
    if codec not in av.codecs_available:
        pytest.skip(f"this FFmpeg has no {codec} encoder")
    assert picture_pixels(_encoded(codec, 96, 40, pix_fmt)) == 96 * 40


def test_a_webp_vp8x_canvas_and_a_lossless_webp_are_read() -> None:
    vp8l = b"\x2f" + struct.pack("<I", (96 - 1) | ((40 - 1) << 14)) + b"\x00" * 5
    lossless = b"RIFF" + struct.pack("<I", 4 + 8 + len(vp8l)) + b"WEBP"
    lossless += b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    assert picture_pixels(lossless) == 96 * 40
    vp8x = b"\x00" * 4 + (16000 - 1).to_bytes(3, "little") + (9000 - 1).to_bytes(3, "little")
    extended = b"RIFF" + struct.pack("<I", 4 + 8 + len(vp8x)) + b"WEBP"
    extended += b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    assert picture_pixels(extended) == 16000 * 9000


def test_a_cut_or_foreign_header_has_no_size() -> None:
    assert picture_pixels(b"GIF89a" + b"\x00" * 20) is None
    assert picture_pixels(b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert picture_pixels(b"\xff\xd8\xff\xe0\x00") is None


async def test_a_16000_pixel_square_png_of_a_megabyte_is_refused_and_nothing_stored(
    api: Api,
) -> None:
    # Given a shop's product and a 16000x16000 PNG of under a megabyte
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id)
    bomb = bomb_png()
    assert len(bomb) < 1024 * 1024
    before = (await api.client.get(f"/api/v1/products/{product.id}")).json()["images"]
    # When its owner uploads it
    r = await api.client.post(
        f"/api/v1/products/{product.id}/images/upload",
        files={"file": ("bomb.png", bomb, "image/png")},
        headers=owner.headers,
    )
    # Then it is refused as too many pixels, and the product's pictures are as they were
    assert_problem(r, 413, "image_too_many_pixels")
    shown = await api.client.get(f"/api/v1/products/{product.id}")
    assert shown.json()["images"] == before


_MEASURE = """
import json, resource, sys
from livebazaar.catalog.errors import ImageTooManyPixels
from livebazaar.catalog.pictures import prepare_product_image
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    prepare_product_image(data)
    outcome = "accepted"
except ImageTooManyPixels:
    outcome = "refused"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "grew_kib": after - before}))
"""


def test_refusing_the_bomb_costs_no_memory(tmp_path: Path) -> None:
    # Given the bomb on disk and a fresh process that has read it
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb_png())
    # When that process prepares it as an upload would
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    # Then it is refused, and the process's peak memory grew by under 16 MB (it was 1.1 GB)
    assert result["outcome"] == "refused"
    assert result["grew_kib"] < 16 * 1024, result


async def test_an_upload_waits_while_as_many_pictures_as_allowed_are_decoding(api: Api) -> None:
    # Given every decode slot taken (picture_decodes_at_once, 2 by default)
    owner = await api.account("Ana")
    product = await make_product(api.container, await make_shop(api.container, owner))
    app = cast("ASGITransport", api.client._transport).app
    decodes: asyncio.Semaphore = app.state.picture_decodes  # type: ignore[attr-defined]
    for _ in range(api.container.settings.picture_decodes_at_once):
        await decodes.acquire()
    # When an owner uploads a picture
    upload = asyncio.create_task(
        api.client.post(
            f"/api/v1/products/{product.id}/images/upload",
            files={"file": ("a.png", _encoded("png", 64, 48, "rgb24"), "image/png")},
            headers=owner.headers,
        )
    )
    while not getattr(decodes, "_waiters", None):  # it reaches the queue for a slot
        assert not upload.done(), upload.result().text
        await asyncio.sleep(0)
    # Then it waits there, and goes through once a slot is freed
    assert not upload.done()
    decodes.release()
    assert (await upload).status_code == 201
