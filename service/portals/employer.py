"""The employer portal: server-rendered pages (templates/employer/)."""

from fastapi import APIRouter

router = APIRouter(prefix="/employer", include_in_schema=False)
