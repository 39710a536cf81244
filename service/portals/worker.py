"""The worker portal: server-rendered pages (templates/worker/)."""

from fastapi import APIRouter

router = APIRouter(prefix="/worker", include_in_schema=False)
