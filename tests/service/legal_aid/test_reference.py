"""The legal-aid centres and hotlines in data/: every county covered, nothing guessed, and a
malformed file refused with its file and line."""

import shutil
from pathlib import Path

import pytest

from monitors.reference import DEFAULT_DATA_DIR, ReferenceDataError, load_reference
from service.legal_aid.reference import CITY, load_legal_aid

FILES = ("jurisdictions.csv", "legal_aid_centres.csv", "hotlines.csv", "legal_aid_matters.csv")


def test_every_county_and_the_city_has_a_legal_aid_centre() -> None:
    jurisdictions = load_reference().jurisdictions
    counties = set(jurisdictions.index[jurisdictions["level"] == "county"])
    centres = load_legal_aid().centres

    assert len(counties) == 12
    assert set(centres) == counties | {CITY}


def test_a_centre_without_a_known_line_gives_the_hotline_and_says_it_is_unconfirmed() -> None:
    aid = load_legal_aid()
    ouhai = aid.centre_for("330304")

    assert (ouhai.phone, ouhai.phone_is_direct) == ("12348", False)
    assert ouhai.address_zh is None and ouhai.email is None
    assert not ouhai.is_confirmed
    assert ouhai.justice_bureau_zh == "温州市瓯海区司法局"
    assert ouhai.legal_basis_zh.endswith("（待核实）")
    assert "(to be confirmed)" in ouhai.legal_basis_en
    assert "法律援助法" in ouhai.legal_basis_zh and ouhai.source


def test_the_city_s_hotlines_are_12348_and_12333() -> None:
    aid = load_legal_aid()

    assert aid.hotline("legal_aid").phone == "12348"
    assert aid.hotline("labour").phone == "12333"
    assert aid.hotline("labour").jurisdiction_code == CITY


def test_a_county_without_a_row_falls_back_to_the_city_centre(tmp_path: Path) -> None:
    data = _copy_of_data(tmp_path)
    _edit(data, "legal_aid_centres.csv", lambda lines: [ln for ln in lines if "330305" not in ln])
    _edit(
        data, "jurisdictions.csv", lambda lines: [ln for ln in lines if not ln.startswith("330305")]
    )

    assert load_legal_aid(data).centre_for("330305").jurisdiction_code == CITY


def _copy_of_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in FILES:
        shutil.copy(DEFAULT_DATA_DIR / name, data / name)
    return data


def _edit(data: Path, name: str, change) -> None:
    path = data / name
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")


def _replace_on(line: int, old: str, new: str):
    def change(lines: list[str]) -> list[str]:
        assert old in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
        return lines

    return change


@pytest.mark.parametrize(
    ("file", "line", "old", "new", "message"),
    [
        ("legal_aid_centres.csv", 4, ",12348,false,", ",0577-8888,false,", "does not match"),
        ("legal_aid_centres.csv", 4, ",12348,false,", ",12333,false,", "must be the legal-aid"),
        ("legal_aid_centres.csv", 4, ",false,,", ",maybe,,", "is not true or false"),
        ("legal_aid_centres.csv", 4, ",false,,", ",false,centre-at-example,", "email"),
        ("legal_aid_centres.csv", 4, ",unconfirmed,", ",verified,", "status"),
        ("legal_aid_centres.csv", 4, "330303,", "330371,", "not in jurisdictions.csv"),
        ("legal_aid_centres.csv", 5, "330304,", "330302,", "duplicate jurisdiction_code"),
        ("hotlines.csv", 3, "labour,12333,", "labour,1233,", "does not match"),
    ],
)
def test_a_malformed_file_is_refused_with_file_and_line(
    tmp_path: Path, file: str, line: int, old: str, new: str, message: str
) -> None:
    data = _copy_of_data(tmp_path)
    _edit(data, file, _replace_on(line, old, new))

    with pytest.raises(ReferenceDataError) as refused:
        load_legal_aid(data)

    assert f"data/{file} line {line}: " in str(refused.value)
    assert message in str(refused.value)


def test_a_county_left_out_is_named(tmp_path: Path) -> None:
    data = _copy_of_data(tmp_path)
    _edit(data, "legal_aid_centres.csv", lambda lines: [ln for ln in lines if "330329" not in ln])

    with pytest.raises(ReferenceDataError, match=r"no centre for jurisdiction\(s\) 330329"):
        load_legal_aid(data)


def test_a_missing_hotline_is_named(tmp_path: Path) -> None:
    data = _copy_of_data(tmp_path)
    _edit(data, "hotlines.csv", lambda lines: [ln for ln in lines if not ln.startswith("labour")])

    with pytest.raises(ReferenceDataError, match=r"hotlines\.csv has no row for labour"):
        load_legal_aid(data)


def test_wages_and_work_injury_are_exempt_from_the_hardship_check_under_art_42() -> None:
    matters = load_legal_aid().matters

    assert {m for m, row in matters.items() if row.hardship_check_exempt} == {
        "unpaid_wages",
        "work_injury",
    }
    assert "第四十二条" in matters["unpaid_wages"].legal_basis_zh
    assert "Art. 42" in matters["work_injury"].legal_basis_en
    assert "第四十一条" in matters["other"].legal_basis_zh
