"""Routing by the rules in data/routing.csv: every branch, and a malformed file refused with its
file and line."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from monitors.reference import DEFAULT_DATA_DIR, ReferenceDataError
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.routing import load_routing
from tests.service.complaints.conftest import TOWN, Places, file


def events(session, complaint_id: int) -> list[tuple[str, str | None]]:
    rows = session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.id)
    ).all()
    return [(e.kind, e.note) for e in rows]


def test_the_repository_rules_are_loaded_in_order() -> None:
    rules = load_routing()

    assert [r.rule_id for r in rules] == [
        "enterprise_committee",
        "town_people_committee_identity_withheld",
        "county_centre_identity_withheld",
        "town_people_committee",
        "county_centre",
    ]
    assert rules[-1].condition == "always"
    assert all(r.legal_basis_zh and r.legal_basis_en and r.source for r in rules)


def test_enterprise_committee_when_the_employer_has_one_and_the_worker_agrees(
    places: Places, session
) -> None:
    filed = file(
        places.engine,
        employer_id=places.employer_a,
        town=TOWN,
        agrees_to_enterprise_mediation=True,
        disclose_identity=True,
    )

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.committee_id == places.enterprise_committee
    assert complaint.routing_rule == "enterprise_committee"
    assert complaint.routing_reason_zh.startswith("已转交鹿城鞋业劳动争议调解委员会，因为")
    assert complaint.routing_reason_en.startswith("Routed to 鹿城鞋业劳动争议调解委员会 because")
    assert "agreed" in complaint.routing_reason_en
    assert events(session, filed.complaint_id) == [
        ("received", None),
        (
            "routed",
            "enterprise_committee; agrees_to_enterprise_mediation=yes; disclose_identity=yes",
        ),
    ]


def test_the_enterprise_committee_never_gets_a_worker_who_keeps_their_identity(
    places: Places, session
) -> None:
    # The employer's own committee is the employer's staff: it would learn who complained.
    filed = file(
        places.engine, employer_id=places.employer_a, town=TOWN, agrees_to_enterprise_mediation=True
    )

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.committee_id == places.town_committee
    assert complaint.routing_rule == "town_people_committee_identity_withheld"
    assert "必须知道您是谁" in complaint.routing_reason_zh and TOWN in complaint.routing_reason_zh
    assert "would have to know who you are" in complaint.routing_reason_en
    assert "Wuma Subdistrict" in complaint.routing_reason_en


def test_without_a_town_committee_a_withheld_identity_goes_to_the_county_centre(
    places: Places, session
) -> None:
    filed = file(
        places.engine,
        employer_id=places.employer_a,
        town="南汇街道",
        agrees_to_enterprise_mediation=True,
    )

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.committee_id == places.lucheng_centre
    assert complaint.routing_rule == "county_centre_identity_withheld"
    assert "would have to know who you are" in complaint.routing_reason_en
    assert "鹿城区" in complaint.routing_reason_zh


def test_town_committee_when_the_worker_did_not_agree_to_the_enterprise_one(
    places: Places, session
) -> None:
    filed = file(places.engine, employer_id=places.employer_a, town=TOWN)

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.committee_id == places.town_committee
    assert complaint.routing_rule == "town_people_committee"
    assert TOWN in complaint.routing_reason_zh
    assert "Wuma Subdistrict" in complaint.routing_reason_en  # the town's English name


def test_town_committee_when_the_employer_has_none(places: Places, session) -> None:
    filed = file(
        places.engine, employer_id=places.employer_c, town=TOWN, agrees_to_enterprise_mediation=True
    )

    assert session.get(Complaint, filed.complaint_id).routing_rule == "town_people_committee"


def test_county_centre_when_the_town_has_no_committee(places: Places, session) -> None:
    filed = file(places.engine, employer_id=places.employer_c, town="南汇街道")

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.committee_id == places.lucheng_centre
    assert complaint.routing_rule == "county_centre"
    assert "鹿城区" in complaint.routing_reason_zh
    assert "Lucheng District" in complaint.routing_reason_en


def test_county_centre_when_no_town_is_given(places: Places, session) -> None:
    filed = file(places.engine, employer_id=places.employer_c)

    assert session.get(Complaint, filed.complaint_id).committee_id == places.lucheng_centre


def test_an_unknown_employer_skips_the_enterprise_rule(places: Places, session) -> None:
    filed = file(
        places.engine,
        employer_text="不在名录里的鞋厂",
        town=TOWN,
        agrees_to_enterprise_mediation=True,
    )

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.employer_id is None
    assert complaint.employer_text == "不在名录里的鞋厂"
    assert complaint.routing_rule == "town_people_committee"


def test_the_place_of_work_decides_not_the_employers_seat(places: Places, session) -> None:
    # Employer A sits in Lucheng; the work was in Ouhai.
    filed = file(places.engine, employer_id=places.employer_a, county_code="330304")

    assert session.get(Complaint, filed.complaint_id).committee_id == places.ouhai_centre


def test_a_county_without_a_mediation_body_leaves_the_case_to_the_inspectors(
    places: Places, session
) -> None:
    filed = file(places.engine, county_code="330305")

    complaint = session.get(Complaint, filed.complaint_id)
    assert filed.committee_id is None and filed.routing_rule is None
    assert complaint.committee_id is None
    assert complaint.mediation_due_on is None
    assert "洞头区" in complaint.routing_reason_zh and "Dongtou" in complaint.routing_reason_en
    assert [kind for kind, _ in events(session, filed.complaint_id)] == ["received", "unrouted"]


# --- the file ---------------------------------------------------------------------------------


def copy_of_data(tmp_path: Path, routing_text: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    (data / "routing.csv").write_text(routing_text, encoding="utf-8")
    return data


def rows_with(line: int, replace: str, by: str) -> str:
    lines = (DEFAULT_DATA_DIR / "routing.csv").read_text(encoding="utf-8").splitlines()
    lines[line - 1] = lines[line - 1].replace(replace, by, 1)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("line", "replace", "by", "message"),
    [
        (5, "town_has_people_committee,", "town_has_a_committee,", "condition"),
        (2, ",enterprise_committee,已转交", ",county_centre,已转交", "needs target"),
        (6, "{county}劳动", "{town}劳动", "uses {town}"),
        (4, "{county}劳动", "{town}劳动", "uses {town}"),
        (2, "{committee}，因为", "{committee，因为", "not a valid template"),
        (6, ",always,", ",county_has_centre,", "must have condition always"),
        (5, "4,town", "1,town", "order 1 repeats line 2"),
        (2, "1,enterprise", "x,enterprise", "is not an integer"),
    ],
)
def test_a_malformed_routing_file_is_refused_with_file_and_line(
    tmp_path: Path, line: int, replace: str, by: str, message: str
) -> None:
    data = copy_of_data(tmp_path, rows_with(line, replace, by))

    with pytest.raises(ReferenceDataError) as refused:
        load_routing(data)

    assert str(refused.value).startswith(f"data/routing.csv line {line}: ")
    assert message in str(refused.value)


def test_a_routing_file_with_a_missing_column_is_refused(tmp_path: Path) -> None:
    text = rows_with(1, ",status", "")
    data = copy_of_data(tmp_path, text)

    with pytest.raises(ReferenceDataError, match=r"data/routing\.csv line 1: missing column"):
        load_routing(data)


def test_an_empty_routing_file_is_refused(tmp_path: Path) -> None:
    header = (DEFAULT_DATA_DIR / "routing.csv").read_text(encoding="utf-8").splitlines()[0]

    with pytest.raises(ReferenceDataError, match=r"data/routing\.csv: has no rules"):
        load_routing(copy_of_data(tmp_path, header + "\n"))


def test_each_committee_is_read_once_per_routing(places: Places) -> None:
    statements: list[str] = []
    event.listen(places.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    filed = file(
        places.engine,
        employer_id=places.employer_a,
        town=TOWN,
        agrees_to_enterprise_mediation=True,
        disclose_identity=True,
    )
    assert filed.routing_rule == "enterprise_committee"
    committee_reads = [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT") and "FROM mediation_committee" in s
    ]
    # The enterprise committee is looked up before the rules and named by the first rule.
    assert len(committee_reads) == len(set(committee_reads)) == 1
