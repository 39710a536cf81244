"""Builders for contract files: small, valid, explicit; tests override what they test."""

import csv
from pathlib import Path

from monitors.identifiers import id_number_check_char, uscc_check_char


def uscc(n: int, region: str = "330302") -> str:
    """A valid unified social credit code; n makes it unique."""
    body = f"91{region}MA{n:07d}"[:17]
    return body + uscc_check_char(body)


def id_number(n: int, region: str = "510122", birth: str = "19900101") -> str:
    """A valid resident identity number; n makes it unique."""
    body = f"{region}{birth}{n:03d}"
    return body + id_number_check_char(body)


EMPLOYER_A, EMPLOYER_B = uscc(1), uscc(2)
WORKER_1, WORKER_2, WORKER_3 = id_number(1), id_number(2), id_number(3)
PROJECT = "330302202401010001"


def valid_files() -> dict[str, list[dict[str, str]]]:
    """One consistent import: two employers, three workers, one project."""
    return {
        "employers": [
            {
                "uscc": EMPLOYER_A,
                "name": "温州鹿城鞋业有限公司",
                "industry_code": "1952",
                "county_code": "330302",
                "town": "双屿街道",
                "leased_premises": "true",
                "contact_email": "hr@shoes.example.cn",
            },
            {
                "uscc": EMPLOYER_B,
                "name": "温州瓯江建设有限公司",
                "industry_code": "4710",
                "county_code": "330304",
                "town": "",
                "leased_premises": "false",
                "contact_email": "",
            },
        ],
        "workers": [
            {
                "id_number": WORKER_1,
                "name": "张三",
                "phone": "13800000001",
                "hukou_county_code": "510122",
            },
            {"id_number": WORKER_2, "name": "李四", "phone": "", "hukou_county_code": ""},
            {"id_number": WORKER_3, "name": "王五", "phone": "", "hukou_county_code": "520102"},
        ],
        "projects": [
            {
                "project_code": PROJECT,
                "name": "瓯海大道改造工程",
                "contractor_uscc": EMPLOYER_B,
                "county_code": "330304",
                "industry_code": "4813",
                "contract_value": "12000000.00",
                "contract_signed_date": "2026-01-10",
                "permit_date": "2026-02-01",
                "completion_date": "",
            },
        ],
        "contracts": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "start_date": "2026-01-05",
                "signed_date": "2026-01-05",
                "term_type": "fixed",
                "end_date": "2028-01-04",
                "employment_type": "full_time",
                "probation_end": "2026-03-04",
                "monthly_wage": "5200",
                "hourly_wage": "",
                "probation_wage": "4200.50",
                "pay_day": "10",
                "left_date": "",
                "project_code": "",
            },
            {
                "employer_uscc": EMPLOYER_B,
                "worker_id_number": WORKER_2,
                "start_date": "2026-02-10",
                "signed_date": "2026-02-10",
                "term_type": "task",
                "end_date": "",
                "employment_type": "",
                "probation_end": "",
                "monthly_wage": "6800",
                "hourly_wage": "",
                "probation_wage": "",
                "pay_day": "31",
                "left_date": "",
                "project_code": PROJECT,
            },
        ],
        "payroll": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "period": "2026-01",
                "amount_due": "5200.00",
                "amount_paid": "5200.00",
                "paid_date": "2026-02-10",
                "hours_worked": "168",
            },
            {
                "employer_uscc": EMPLOYER_B,
                "worker_id_number": WORKER_2,
                "period": "2026-02",
                "amount_due": "6800",
                "amount_paid": "3400",
                "paid_date": "2026-03-31",
                "hours_worked": "",
            },
        ],
        "deposit_events": [
            {
                "employer_uscc": EMPLOYER_B,
                "project_code": PROJECT,
                "event": "deposit",
                "date": "2026-02-20",
                "amount": "240000",
                "reference": "BOC-2026-0001",
                "expiry_date": "",
            },
            {
                "employer_uscc": EMPLOYER_A,
                "project_code": "",
                "event": "guarantee",
                "date": "2026-01-20",
                "amount": "50000",
                "reference": "ICBC-BH-77",
                "expiry_date": "2027-01-19",
            },
        ],
        "insurance": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": WORKER_1,
                "project_code": "",
                "start_date": "2026-01-05",
                "end_date": "",
            },
            {
                "employer_uscc": EMPLOYER_B,
                "worker_id_number": "",
                "project_code": PROJECT,
                "start_date": "2026-02-01",
                "end_date": "",
            },
        ],
    }


def write_csv(
    folder: Path,
    name: str,
    rows: list[dict[str, str]],
    *,
    bom: bool = False,
    header: list[str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    header = header or list(rows[0])
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def write_folder(folder: Path, files: dict[str, list[dict[str, str]]] | None = None) -> Path:
    for name, rows in (files or valid_files()).items():
        write_csv(folder, name, rows)
    return folder
