"""The demo's users, one per role and audience, created by `wageguard demo`."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from service.auth.models import User
from service.auth.service import create_user
from service.committees.models import MediationCommittee
from service.employers.models import Employer


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    display_name: str
    scopes: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("admin", "demo-admin-2026", "admin", "系统管理员"),
    DemoUser(
        "inspector.city", "demo-inspector-2026", "inspector", "温州市劳动监察支队", ("330300",)
    ),
    DemoUser(
        "inspector.lucheng", "demo-inspector-2026", "inspector", "鹿城区劳动监察员", ("330302",)
    ),
    DemoUser(
        "inspector.ouhai", "demo-inspector-2026", "inspector", "瓯海区劳动监察员", ("330304",)
    ),
    DemoUser(
        "supervisor.city", "demo-supervisor-2026", "supervisor", "温州市人社局监督员", ("330300",)
    ),
    DemoUser("employer.demo", "demo-employer-2026", "employer", "用人单位演示账号"),
    DemoUser("mediator.demo", "demo-mediator-2026", "mediator", "调解员演示账号"),
    # Lucheng's legal-aid centre; the other counties' centres have no account, so their
    # inspectors record the decisions (service/legal_aid/service.py).
    DemoUser(
        "legalaid.lucheng", "demo-legalaid-2026", "legal_aid", "鹿城区法律援助中心", ("330302",)
    ),
)


def create_demo_users(session: Session) -> list[tuple[DemoUser, str]]:
    """Create the demo users that do not exist yet; returns (user, what they see)."""
    employer = _employer_with_most_alerts(session)
    committee = session.scalar(
        select(MediationCommittee)
        .where(MediationCommittee.kind == "people")
        .order_by(MediationCommittee.code)
    )
    created = []
    for demo in DEMO_USERS:
        scope = ", ".join(demo.scopes)
        employer_id = committee_id = None
        if demo.role == "employer" and employer is not None:
            employer_id, scope = employer.id, f"{employer.name} ({employer.uscc})"
        if demo.role == "mediator" and committee is not None:
            committee_id, scope = committee.id, committee.name
        if demo.role in ("employer", "mediator") and not (employer_id or committee_id):
            continue
        if session.scalar(select(User).where(User.username == demo.username)) is None:
            create_user(
                session=session,
                actor=None,
                username=demo.username,
                password=demo.password,
                role=demo.role,
                display_name=demo.display_name,
                email=f"{demo.username}@demo.wageguard.local",
                employer_id=employer_id,
                committee_id=committee_id,
                scopes=list(demo.scopes),
            )
        created.append((demo, scope))
    return created


def _employer_with_most_alerts(session: Session) -> Employer | None:
    """A leased-premises shoe or garment factory makes the richest employer demo."""
    return session.scalar(
        select(Employer).where(Employer.leased_premises.is_(True)).order_by(Employer.uscc)
    )
