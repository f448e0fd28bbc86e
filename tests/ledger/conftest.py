from __future__ import annotations

import pytest

from tests.checkout.stage import Stage, set_stage
from tests.support import Api


@pytest.fixture
async def stage(api: Api) -> Stage:
    return await set_stage(api)
