"""JSON API for deposits: the twins of the portal pages, with the same permission checks."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["deposits"])
