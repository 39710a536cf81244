"""The admin portal: server-rendered pages (templates/admin/)."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin", include_in_schema=False)
