"""A request body past its route's limit is refused with 413 before it is read: a 50 MB JSON
body to /api/v1/auth/register was read whole and cost ~480 MB while parsed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from livebazaar.settings import Settings
from livebazaar.web.body_limit import body_limit_for
from tests.factories import make_product, make_shop
from tests.support import Api, assert_problem

MB = 1024 * 1024


class Body:
    """A streamed body of `size` bytes of `fill`, counting what the server took of it."""

    def __init__(
        self, size: int, fill: bytes = b" ", chunk: int = 16 * 1024, head: bytes = b""
    ) -> None:
        self.size, self.fill, self.chunk, self.taken, self.head = size, fill, chunk, 0, head

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.head:
            self.taken += len(self.head)
            yield self.head
        while self.taken < self.size:
            part = self.fill * min(self.chunk, self.size - self.taken)
            self.taken += len(part)
            yield part


async def test_a_declared_50_mb_json_body_is_refused_before_a_byte_is_read(
    client: httpx.AsyncClient,
) -> None:
    body = Body(50 * MB)
    r = await client.post(
        "/api/v1/auth/register",
        content=body,
        headers={"content-type": "application/json", "content-length": str(50 * MB)},
    )
    problem = assert_problem(r, 413, "body_too_large")
    assert problem["limit_bytes"] == Settings().max_body_bytes == 256 * 1024
    assert body.taken == 0


async def test_a_chunked_body_is_counted_as_it_streams_and_stopped_past_the_limit(
    client: httpx.AsyncClient,
) -> None:
    # Given a 50 MB body sent without a length (chunked)
    body = Body(50 * MB)
    r = await client.post(
        "/api/v1/auth/register", content=body, headers={"content-type": "application/json"}
    )
    # Then it is refused once past 256 KiB, having read no more than one chunk beyond
    assert_problem(r, 413, "body_too_large")
    assert body.taken <= 256 * 1024 + body.chunk


async def test_a_page_form_past_the_limit_is_refused_in_the_same_way(
    client: httpx.AsyncClient,
) -> None:
    body = Body(MB, fill=b"a")
    r = await client.post(
        "/login", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_problem(r, 413, "body_too_large")
    assert body.taken <= 256 * 1024 + body.chunk


async def test_a_picture_upload_may_be_larger_than_json_but_not_past_its_own_limit(
    api: Api,
) -> None:
    owner = await api.account("Ana")
    product = await make_product(api.container, await make_shop(api.container, owner))
    url = f"/api/v1/products/{product.id}/images/upload"
    # A 1 MB file that is no picture reaches the route (past the JSON limit) and is refused there
    r = await api.client.post(
        url, files={"file": ("x.jpg", b"\xff\xd8" + bytes(MB), "image/jpeg")}, headers=owner.headers
    )
    assert_problem(r, 422, "bad_image")
    # An 11 MB one is stopped as it streams
    part = b'--x\r\ncontent-disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
    body = Body(11 * MB, head=part)
    r = await api.client.post(
        url,
        content=body,
        headers={**owner.headers, "content-type": "multipart/form-data; boundary=x"},
    )
    assert_problem(r, 413, "body_too_large")
    assert body.taken <= 10 * MB + body.chunk


async def test_a_whip_offer_past_its_small_limit_is_refused(client: httpx.AsyncClient) -> None:
    body = Body(40 * 1024, fill=b"a")  # past WHIP's 32 KiB, within JSON's 256
    headers = {"content-type": "application/sdp", "content-length": str(body.size)}
    r = await client.post("/api/v1/shows/some-show/whip", content=body, headers=headers)
    assert_problem(r, 413, "body_too_large")
    assert body.taken == 0


def test_each_kind_of_route_has_its_limit() -> None:
    settings = Settings(max_body_bytes=2048, max_upload_body_bytes=4096, max_sdp_body_bytes=3072)
    assert body_limit_for(settings, "/api/v1/auth/register") == 2048
    assert body_limit_for(settings, "/api/v1/products/p1/images/upload") == 4096
    assert body_limit_for(settings, "/api/v1/shows/s1/whip") == 3072
    assert body_limit_for(settings, "/api/v1/shows/s1/whip/r1") == 3072
    assert body_limit_for(settings, "/api/v1/products/p1/images") == 2048
