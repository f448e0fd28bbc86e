"""Server-rendered pages (the demo's viewer page; the full web experience is its own issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
