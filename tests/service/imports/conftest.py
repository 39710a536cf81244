"""The portals' small world (employers, their users, inspectors) for the upload-page tests."""

from tests.service.portals.conftest import database_seed, world  # noqa: F401 (fixtures)
