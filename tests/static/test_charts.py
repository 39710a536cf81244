"""static/js/charts.js with the vendored ECharts and Wenzhou map, run by node through
ECharts' server-side renderer (the browser tests of the overview draw them in chromium)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
GBT_2260_DRAWN = {
    "330302", "330303", "330304", "330305", "330324", "330326", "330327", "330328", "330329",
    "330381", "330382",
}  # fmt: skip

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _run(regions: list[dict]) -> dict:
    script = Path(__file__).with_name("charts_check.js")
    finished = subprocess.run(
        [NODE, str(script), str(ROOT), json.dumps(regions, ensure_ascii=False)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_the_map_is_keyed_by_county_code_and_coloured_from_low_to_high() -> None:
    regions = [
        {"code": "330302", "name": "Lucheng", "value": 12, "href": "/o/330302"},
        {"code": "330329", "name": "Taishun", "value": 0, "href": "/o/330329"},
    ]

    result = _run(regions)

    assert result["map"] == "温州#gb2260"
    assert set(result["drawn"]) == GBT_2260_DRAWN
    assert result["labels"] == [True, True]  # shown under the page's own names
    assert result["highColour"] and result["lowColour"]
    assert result["lineCategories"]


def test_longgang_has_no_shape_in_the_vendored_map() -> None:
    result = _run([{"code": "330383", "name": "Longgang", "value": 3, "href": None}])

    assert "330383" not in result["drawn"]  # see static/vendor/README.md: the table carries it
