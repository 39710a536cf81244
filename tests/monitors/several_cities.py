"""Reference data with several cities, as a benchmark's province has (bench/province/):
data/ copied, with Hangzhou and two of its districts added beside Wenzhou."""

import csv
import shutil
from pathlib import Path

from monitors.reference import DEFAULT_DATA_DIR

HANGZHOU_COUNTIES = {
    "330102": ("上城区", "Shangcheng District"),
    "330106": ("西湖区", "Xihu District"),
}
BASIS = ["unconfirmed", "x", "x", "test"]


def two_city_data_dir(folder: Path) -> Path:
    """data/ copied into `folder` with Hangzhou added: its counties, a town each, and its
    leased-premises fallback (a copy of Wenzhou's city row)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in DEFAULT_DATA_DIR.glob("*.csv"):
        shutil.copyfile(path, folder / path.name)
    counties = HANGZHOU_COUNTIES.items()
    _append(
        folder / "jurisdictions.csv",
        [["330100", "330000", "city", "杭州市", "Hangzhou", "", *BASIS]],
    )
    _append(
        folder / "jurisdictions.csv",
        [[code, "330100", "county", zh, en, "1", *BASIS] for code, (zh, en) in counties],
    )
    _append(
        folder / "towns.csv",
        [[code, f"{zh}街道", f"{en} Street", *BASIS] for code, (zh, en) in counties],
    )
    with (folder / "leased_premises_deposit.csv").open(encoding="utf-8", newline="") as file:
        wenzhou = [row for row in csv.reader(file) if row[0] == "330300"]
    _append(folder / "leased_premises_deposit.csv", [["330100", *row[1:]] for row in wenzhou])
    return folder


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)
