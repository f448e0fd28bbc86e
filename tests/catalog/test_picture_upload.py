"""Uploading a product picture from a phone: checked, resized, stripped, stored, served."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np

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
