"""Complaints filed into the portals' `world` for the mediator, inspector and employer tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.auth.service import create_user
from service.complaints.form import ComplaintForm
from service.complaints.service import FiledComplaint, file_complaint
from service.db import session_scope
from service.mediation.models import MediationCommittee
from tests.service.portals.conftest import PASSWORD

TOWN = "五马街道"  # the world's committee is this town's people's mediation committee


def include_routers(app: FastAPI) -> FastAPI:
    """The lead registers these routers in service/app.py; until then the tests do."""
    from service.mediation import api
    from service.portals import employer_complaints, inspector_complaints, mediator

    paths = {getattr(route, "path", "") for route in app.routes}
    for module, probe in (
        (mediator, "/mediator"),
        (inspector_complaints, "/inspector/complaints"),
        (employer_complaints, "/employer/complaints"),
        (api, "/api/cases"),
    ):
        if probe not in paths:
            app.include_router(module.router)
    return app


def file(world: Any, *, days_ago: int = 3, **overrides: Any) -> FiledComplaint:
    """A wage complaint about employer A in Lucheng's 五马街道, received `days_ago` days ago."""
    values: dict[str, Any] = {
        "description": "老板拖欠了我两个月的工资，一直说下个月发。",
        "county_code": "330302",
        "town": TOWN,
        "employer_id": world.employer_a,
        "period_from": "2026-08",
        "period_to": "2026-09",
        "amount_owed": "12000",
        "workers_affected": "1",
        "phone": "13800000001",
        "worker_name": "张三",
    }
    received_at = datetime.now(UTC) - timedelta(days=days_ago)
    with session_scope(world.engine) as session:
        return file_complaint(
            session, form=ComplaintForm(**(values | overrides)), received_at=received_at
        )


def other_committee_mediator(world: Any) -> str:
    """A mediator of a second committee (Ouhai), to check that cases stay within committees."""
    with session_scope(world.engine) as session:
        committee = MediationCommittee(
            code="MC-OH-1", name="瓯海区调解中心", kind="county_centre", county_code="330304"
        )
        session.add(committee)
        session.flush()
        create_user(
            session=session,
            actor=None,
            username="mediator.other",
            password=PASSWORD,
            role="mediator",
            display_name="mediator.other",
            committee_id=committee.id,
        )
    return "mediator.other"


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]
