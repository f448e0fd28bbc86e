"""Uploading a product picture from a phone: checked, resized, stripped, stored, served."""

from __future__ import annotations

import io
import struct
from fractions import Fraction

import av
import numpy as np
import pytest

from tests.factories import make_product, make_shop
from tests.support import Api, assert_problem


def _png(width: int, height: int) -> bytes:
    encoder = av.CodecContext.create("png", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "rgb24"
    encoder.time_base = Fraction(1, 25)
    image = np.zeros((height, width, 3), np.uint8)
    image[:, : width // 2] = (200, 120, 40)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24")
    return b"".join(bytes(p) for p in [*encoder.encode(frame), *encoder.encode(None)])


def _jpeg_from_a_phone(width: int, height: int, orientation: int) -> bytes:
    """A JPEG as a phone writes it: the sensor's landscape pixels (the left half orange, the
    right half black) and an EXIF APP1 segment whose IFD0 holds the orientation tag (0x0112)."""
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    image = np.zeros((height, width, 3), np.uint8)
    image[:, : width // 2] = (240, 120, 0)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuvj420p")
    jpeg = b"".join(bytes(p) for p in [*encoder.encode(frame), *encoder.encode(None)])
    ifd0 = struct.pack("<HHHIHHI", 1, 0x0112, 3, 1, orientation, 0, 0)  # 1 entry, no next IFD
    exif = b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd0
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    assert jpeg.startswith(b"\xff\xd8")  # SOI, then the APP1 goes first
    return jpeg[:2] + app1 + jpeg[2:]


async def test_a_portrait_photo_from_a_phone_is_stored_upright_without_exif(api: Api) -> None:
    # Given a 40x20 photo whose EXIF says "turn me 90 degrees clockwise" (orientation 6)
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id)
    photo = _jpeg_from_a_phone(40, 20, orientation=6)
    with av.open(io.BytesIO(photo), "r") as picture:
        assert next(picture.decode(video=0)).rotation == -90  # the decoder reads the tag
    # When the owner uploads it
    r = await api.client.post(
        f"/api/v1/products/{product.id}/images/upload",
        files={"file": ("portrait.jpg", photo, "image/jpeg")},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    served = await api.client.get(r.json()["url"])
    # Then the stored picture is upright: 20x40, the sensor's left half now on top
    with av.open(io.BytesIO(served.content), "r") as picture:
        frame = next(picture.decode(video=0))
        assert (frame.width, frame.height, frame.rotation) == (20, 40, 0)
        pixels = frame.to_ndarray(format="rgb24").astype(int)
    assert pixels[:18].mean(axis=(0, 1)) == pytest.approx((240, 120, 0), abs=12)
    assert pixels[22:].max() < 16
    # And it carries no EXIF (no APP1 segment at all)
    assert b"Exif" not in served.content
    assert b"\xff\xe1" not in served.content


async def test_an_owner_uploads_a_picture_and_viewers_get_a_small_jpeg(api: Api) -> None:
    owner = await api.account("Ana")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id)
    r = await api.client.post(
        f"/api/v1/products/{product.id}/images/upload",
        files={"file": ("pearls.png", _png(3200, 2400), "image/png")},
        data={"alt": "Pearls on a table"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    image = r.json()
    assert image["url"].startswith("/media/images/products/")
    assert image["alt"] == "Pearls on a table"
    served = await api.client.get(image["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    with av.open(io.BytesIO(served.content), "r") as picture:
        frame = next(picture.decode(video=0))
        assert (frame.width, frame.height) == (1600, 1200)
    view = (await api.client.get(f"/api/v1/products/{product.id}")).json()
    assert image["url"] in [i["url"] for i in view["images"]]


async def test_uploads_are_refused_cleanly(api: Api) -> None:
    owner, stranger = await api.account("Ana"), await api.account("Eve")
    shop_id = await make_shop(api.container, owner)
    product = await make_product(api.container, shop_id)
    url = f"/api/v1/products/{product.id}/images/upload"
    picture = {"file": ("p.png", _png(64, 48), "image/png")}
    assert_problem(await api.client.post(url, files=picture), 401, "not_authenticated")
    r = await api.client.post(url, files=picture, headers=stranger.headers)
    assert_problem(r, 403, "role_required")
    text = {"file": ("notes.png", b"this is not a picture" * 50, "image/png")}
    r = await api.client.post(url, files=text, headers=owner.headers)
    assert_problem(r, 422, "bad_image")
    huge = {"file": ("big.png", b"\x89PNG" + bytes(8 * 1024 * 1024), "image/png")}
    r = await api.client.post(url, files=huge, headers=owner.headers)
    assert_problem(r, 413, "image_too_large")
    # Nothing was stored for any refusal
    assert api.container.store.list("images/") == []
    view = (await api.client.get(f"/api/v1/products/{product.id}")).json()
    assert len(view["images"]) == 1  # the factory's own
