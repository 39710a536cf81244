"""The inspector portal: server-rendered pages (templates/inspector/)."""

from fastapi import APIRouter

router = APIRouter(prefix="/inspector", include_in_schema=False)
