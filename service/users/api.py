"""JSON API for user administration."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["users"])
