"""Figures that are WageGuard's own or not yet confirmed say so wherever they are shown, and
the service-office duty (seed policy 十八) is on the employer file and the obligations page."""

from sqlalchemy import text

from service.alerts.export import open_alerts
from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from tests.factories import EMPLOYER_A, id_number, write_folder
from tests.service.portals.conftest import AS_OF, sign_in


def hire_migrants(world, reference, tmp_path, count: int, **office: str) -> None:
    """Employer A (Lucheng) with `count` migrant workers active on the as-of day: the world
    gives it one (WORKER_1), this hires the rest."""
    workers = [id_number(100 + n, region="510122", birth="19920101") for n in range(count - 1)]
    files = {
        "employers": [
            {
                "uscc": EMPLOYER_A,
                "name": "温州鹿城鞋业有限公司",
                "industry_code": "1952",
                "county_code": "330302",
                "leased_premises": "true",
                **office,
            }
        ],
        "workers": [
            {"id_number": w, "name": "工人", "hukou_county_code": "510122"} for w in workers
        ],
        "contracts": [
            {
                "employer_uscc": EMPLOYER_A,
                "worker_id_number": w,
                "start_date": "2026-11-01",
                "signed_date": "2026-11-01",
                "term_type": "open_ended",
                "monthly_wage": "6000.00",
                "pay_day": "10",
            }
            for w in workers
        ],
    }
    assert run_import(world.engine, write_folder(tmp_path / "more", files), reference).ok


def test_an_alerts_basis_says_to_be_confirmed_and_so_does_the_export(
    app_client, world, reference, tmp_path
):
    hire_migrants(world, reference, tmp_path, 101)
    run_monitors(world.engine, reference, as_of=AS_OF)
    exported = open_alerts(world.engine, reference).set_index("rule")
    assert exported.loc["institution.missing", "legal_basis_status"] == "unconfirmed"
    assert exported.loc["institution.missing", "legal_basis"].endswith("（待核实）")
    with world.engine.connect() as conn:
        basis = conn.execute(
            text("SELECT legal_basis_zh, legal_basis_en FROM alert WHERE rule = :r"),
            {"r": "institution.missing"},
        ).one()
    assert basis[0].endswith("（待核实）") and basis[1].endswith("(to be confirmed)")


def test_the_employer_file_shows_the_service_office_duty_with_its_basis(
    app_client, world, reference, tmp_path
):
    hire_migrants(world, reference, tmp_path, 101, liaison_name="王伟")
    assert sign_in(app_client, "inspector.a").status_code == 303

    page = app_client.get(f"/inspector/employers/{world.employer_a}").text

    assert "在岗流动人口 101 人，超过 100 人" in page
    assert "尚未登记服务管理机构或联络员" in page
    assert "温委发〔2010〕108号" in page and "（待核实）" in page
    assert "王伟" in page
    english = app_client.get(f"/inspector/employers/{world.employer_a}?lang=en").text
    assert "You have 101 active migrant workers, more than 100" in english
    assert "(to be confirmed)" in english


def test_the_obligations_page_shows_the_duty_in_place(app_client, world, reference, tmp_path):
    hire_migrants(world, reference, tmp_path, 101, service_office="yes", liaison_name="王伟")
    assert sign_in(app_client, "employer.a").status_code == 303

    page = app_client.get("/employer").text

    assert "已设立服务管理机构，联络员：王伟" in page
    assert "（待核实）" in page


def test_the_obligations_page_says_the_duty_does_not_apply_at_one_hundred(
    app_client, world, reference, tmp_path
):
    hire_migrants(world, reference, tmp_path, 100)
    assert sign_in(app_client, "employer.a").status_code == 303

    assert "未超过 100 人，暂无此项要求" in app_client.get("/employer").text


def test_the_worker_rights_page_marks_the_county_tier_as_to_be_confirmed(app_client):
    page = app_client.get("/worker").text
    assert "温州市公布的档次（未核实）（待核实）" in page
