"""Data contract v2 end to end: `wageguard import` → `wageguard monitors run` → `wageguard
alerts export`, as real processes on SQLite and PostgreSQL, with small files that hold one v2
case per employer (and the clean counterparts that must raise nothing)."""

import json
from pathlib import Path

from sqlalchemy import text

from service.db import make_engine
from tests.factories import id_number, uscc, write_folder
from tests.service.test_cli import wageguard

AS_OF = "2026-07-16"
WAGE = "6000.00"
LUCHENG, OUHAI = "330302", "330304"
MIGRANT, LOCAL = "510122", "330324"

DOUBLE_WAGES = uscc(11)  # unsigned from 03-16: three whole months by 07-16
SECOND_PROBATION = uscc(12)
PART_TIME = uscc(13)
LEFT_UNPAID = uscc(14)
DRAWN_IN_WINDOW, DRAWN_LONG_AGO = uscc(15, OUHAI), uscc(16, OUHAI)
NO_LIAISON, STAFFED = uscc(17), uscc(18)
SIGNED_DAY_AFTER_MOVED_DEADLINE, SIGNED_ON_MOVED_DEADLINE = uscc(19), uscc(20)
PROJECT_IN_WINDOW, PROJECT_LONG_AGO = "330304202601100015", "330304202601100016"


def employer(code: str, **extra: str) -> dict[str, str]:
    county = OUHAI if code in (DRAWN_IN_WINDOW, DRAWN_LONG_AGO) else LUCHENG
    industry = "4710" if county == OUHAI else "1952"
    return {"uscc": code, "name": f"温州{code[-6:]}有限公司", "industry_code": industry,
            "county_code": county, **extra}  # fmt: skip


class Files:
    """The import folder's rows, built case by case."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, str]]] = {
            name: []
            for name in ("employers", "workers", "contracts", "payroll", "projects",
                         "deposit_events", "insurance", "mediation_committees", "coordinators")
        }  # fmt: skip
        self.next_worker = 1

    def worker(self, hukou: str = MIGRANT) -> str:
        number = id_number(self.next_worker)
        self.next_worker += 1
        self.rows["workers"].append(
            {"id_number": number, "name": "工人", "hukou_county_code": hukou}
        )
        return number

    def hire(self, employer_uscc: str, worker: str, start: str, *, paid_through: int = 6,
             **terms: str) -> None:  # fmt: skip
        """A signed full-time contract paid on the 10th, every month from its start to
        `paid_through` (or its last month) paid in full, insured from the start."""
        contract = {"employer_uscc": employer_uscc, "worker_id_number": worker,
                    "start_date": start, "signed_date": start, "term_type": "open_ended",
                    "monthly_wage": WAGE, "pay_day": "10", **terms}  # fmt: skip
        self.rows["contracts"].append(contract)
        last = int(terms["left_date"][5:7]) if terms.get("left_date") else paid_through
        if contract.get("employment_type") != "part_time":
            for month in range(int(start[5:7]), min(last, paid_through) + 1):
                self.pay(employer_uscc, worker, f"2026-{month:02d}")
        self.rows["insurance"].append(
            {"employer_uscc": employer_uscc, "worker_id_number": worker, "start_date": start}
        )

    def pay(self, employer_uscc: str, worker: str, period: str, due: str = WAGE,
            paid: str | None = None, **extra: str) -> None:  # fmt: skip
        month = int(period[5:7])
        self.rows["payroll"].append(
            {"employer_uscc": employer_uscc, "worker_id_number": worker, "period": period,
             "amount_due": due, "amount_paid": due if paid is None else paid,
             "paid_date": f"2026-{month + 1:02d}-05" if paid != "0" else "", **extra}
        )  # fmt: skip


def v2_files() -> dict[str, list[dict[str, str]]]:
    files = Files()
    employers = files.rows["employers"]
    for code in (
        DOUBLE_WAGES,
        SECOND_PROBATION,
        PART_TIME,
        LEFT_UNPAID,
        DRAWN_IN_WINDOW,
        DRAWN_LONG_AGO,
        SIGNED_DAY_AFTER_MOVED_DEADLINE,
        SIGNED_ON_MOVED_DEADLINE,
    ):
        employers.append(employer(code))  # fmt: skip
    employers.append(employer(NO_LIAISON, service_office="yes"))
    employers.append(employer(STAFFED, service_office="yes", liaison_name="王伟"))

    # 1. Double wages: 3 whole months unsigned = 3 monthly wages (not working days / 21.75).
    files.hire(DOUBLE_WAGES, files.worker(), "2026-03-16", signed_date="")
    # 6. The month from 01-17 ends on 02-17, in the Spring Festival: moved to 02-24.
    files.hire(SIGNED_ON_MOVED_DEADLINE, files.worker(), "2026-01-17", signed_date="2026-02-24")
    files.hire(SIGNED_DAY_AFTER_MOVED_DEADLINE, files.worker(), "2026-01-17",
               signed_date="2026-02-25")  # fmt: skip
    # 2. A second probation for the same employer and worker.
    rehired = files.worker()
    files.hire(SECOND_PROBATION, rehired, "2026-01-05", term_type="fixed", end_date="2027-01-04",
               probation_end="2026-02-04", probation_wage=WAGE, left_date="2026-03-31")  # fmt: skip
    files.hire(SECOND_PROBATION, rehired, "2026-05-04", term_type="fixed", end_date="2027-05-03",
               probation_end="2026-06-03", probation_wage=WAGE)  # fmt: skip
    # 3. Part-time: 400 CNY for 20 hours is 20 CNY an hour, under Lucheng's 24.
    part_timer = files.worker()
    files.hire(PART_TIME, part_timer, "2026-01-05", employment_type="part_time",
               hourly_wage="30.00", monthly_wage="5220.00")  # fmt: skip
    files.pay(PART_TIME, part_timer, "2026-05", "600.00", hours_worked="20")
    files.pay(PART_TIME, part_timer, "2026-06", "400.00", hours_worked="20")
    # 4. Left on 07-10 with July unpaid: due on leaving, not on 10 August.
    leaver = files.worker()
    files.hire(LEFT_UNPAID, leaver, "2026-01-05", left_date="2026-07-10")
    files.pay(LEFT_UNPAID, leaver, "2026-07", "2000.00", paid="0")
    # 5. Drawdowns: one 3 working days ago (inside its window), one on 06-01 never replenished.
    for code, project, drawn_on in ((DRAWN_IN_WINDOW, PROJECT_IN_WINDOW, "2026-07-13"),
                                    (DRAWN_LONG_AGO, PROJECT_LONG_AGO, "2026-06-01")):  # fmt: skip
        files.rows["projects"].append(
            {"project_code": project, "name": "瓯海住宅工程", "contractor_uscc": code,
             "county_code": OUHAI, "industry_code": "4710", "contract_value": "12000000.00",
             "contract_signed_date": "2026-01-10", "permit_date": "2026-02-02"}
        )  # fmt: skip
        ledger = (("deposit", "2026-02-05", "360000.00", "D1"),
                  ("drawdown", drawn_on, "300000.00", "W1"))  # fmt: skip
        for event, day, amount, reference in ledger:
            files.rows["deposit_events"].append(
                {"employer_uscc": code, "project_code": project, "event": event, "date": day,
                 "amount": amount, "reference": reference}
            )  # fmt: skip
    # 8. 101 active migrants: no liaison → alert; office and liaison → none.
    for code in (NO_LIAISON, STAFFED):
        for _ in range(101):
            files.hire(code, files.worker(), "2026-06-01")
        files.rows["mediation_committees"].append(
            {"code": f"TJ{code}", "name": "企业劳动争议调解委员会", "kind": "enterprise",
             "employer_uscc": code, "county_code": LUCHENG}
        )  # fmt: skip
    # 9. Coordinators per county and year.
    files.rows["coordinators"] = [
        {"county_code": LUCHENG, "year": "2026", "coordinators": "700",
         "registered_migrants": "329586"},
        {"county_code": OUHAI, "year": "2026", "coordinators": "150",
         "registered_migrants": "92712"},
    ]  # fmt: skip
    return {name: _same_columns(rows) for name, rows in files.rows.items()}


def _same_columns(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Every row with every column any row names (the header is the first row's keys)."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    return [{column: row.get(column, "") for column in columns} for row in rows]


EXPECTED = {
    ("contract.missing", DOUBLE_WAGES, "", ""): "18000.00",
    ("contract.missing", SIGNED_DAY_AFTER_MOVED_DEADLINE, "", ""): "0.00",
    ("contract.probation_invalid", SECOND_PROBATION, "", ""): "",
    ("wages.below_minimum", PART_TIME, "", "2026-06"): "80.00",
    ("wages.unpaid", LEFT_UNPAID, "", "2026-07"): "2000.00",
    ("deposit.not_replenished", DRAWN_LONG_AGO, PROJECT_LONG_AGO, ""): "300000.00",
    ("institution.missing", NO_LIAISON, "", ""): "",
}


def run_chain(folder: Path, db_url: str) -> list[dict]:
    imported = wageguard("import", str(folder), database_url=db_url)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "coordinators.csv" in imported.stdout
    ran = wageguard("monitors", "run", "--as-of", AS_OF, database_url=db_url)
    assert ran.returncode == 0, ran.stderr
    exported = wageguard("alerts", "export", "--format", "jsonl", database_url=db_url)
    assert exported.returncode == 0, exported.stderr
    return [json.loads(line) for line in exported.stdout.splitlines()]


def test_every_v2_case_runs_from_import_to_export(db_url: str, tmp_path: Path) -> None:
    alerts = run_chain(write_folder(tmp_path / "v2", v2_files()), db_url)

    found = {
        (a["rule"], a["employer_uscc"], a["project_code"] or "", a["period"] or ""): a
        for a in alerts
    }
    assert set(found) == set(EXPECTED)
    for key, amount in EXPECTED.items():
        assert (found[key]["amount"] or "") == amount, key
        assert found[key]["legal_basis"] and found[key]["legal_basis_en"]
    probation = found[("contract.probation_invalid", SECOND_PROBATION, "", "")]
    assert "第十九条第二款" in probation["legal_basis"]
    assert probation["evidence"]["contracts"][0]["reasons"] == ["second_probation"]
    part_time = found[("wages.below_minimum", PART_TIME, "", "2026-06")]
    assert "第七十二条第一款" in part_time["legal_basis"]
    assert part_time["evidence"]["hourly_minimum_wage_fen"] == 2400
    unpaid = found[("wages.unpaid", LEFT_UNPAID, "", "2026-07")]
    assert unpaid["evidence"]["due_date"] == "2026-07-10"
    assert "第九条" in unpaid["legal_basis"]
    institution = found[("institution.missing", NO_LIAISON, "", "")]
    assert institution["subject_count"] == 101
    assert institution["evidence"]["service_office"] is True
    assert institution["evidence"]["liaison_named"] is False

    with make_engine(db_url).connect() as conn:
        stored = conn.execute(
            text(
                "SELECT county_code, year, coordinators, registered_migrants "
                "FROM county_coordinators ORDER BY county_code"
            )
        ).all()
        office = conn.execute(
            text("SELECT service_office, liaison_name FROM employer WHERE uscc = :u"),
            {"u": STAFFED},
        ).one()
    assert [tuple(row) for row in stored] == [(LUCHENG, 2026, 700, 329586),
                                              (OUHAI, 2026, 150, 92712)]  # fmt: skip
    assert tuple(office) == ("yes", "王伟")


def test_a_bad_coordinators_row_is_reported_and_nothing_is_written(
    db_url: str, tmp_path: Path
) -> None:
    files = v2_files()
    files["coordinators"][1]["coordinators"] = "-3"
    files["coordinators"].append(dict(files["coordinators"][0]))  # the same county and year

    result = wageguard("import", str(write_folder(tmp_path / "bad", files)), database_url=db_url)

    assert result.returncode != 0
    report = result.stdout + result.stderr
    assert "coordinators.csv" in report and "-3" in report
    with make_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM employer")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM county_coordinators")).scalar() == 0
