"""The demo's casework on the alerts: after the monitors runs of the months before the demo
day, the inspectors of each county acknowledge the alerts they have had for a while, some
counties within days, some after two weeks or more, and a few alerts wait. So the county
assessment's alert-handling indicator has handling to measure, and the counties differ.

Each alert goes through the alerts service (`acknowledge`: the handling state and its audit
entry), then the day is written straight onto both (as the demo's complaints write their
closing): the demo has no inspector clicking on those past days. Everything derives from the
alerts on record and `as_of` (no random draw), so the same demo gives the same casework.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from service import clock
from service.alerts import service as alerts
from service.alerts.models import Alert
from service.audit.models import AuditEntry
from service.auth.models import User
from service.auth.service import actor_for
from service.employers.models import Employer

# Days from an alert's opening to its acknowledgement, by the county's place in code order.
HANDLING_DAYS = (2, 6, 11, 17, 4, 24)
# Every county leaves its alerts opened in the last days unhandled (the inbox's new ones);
# every fourth county also lets every third older alert wait.
RECENT_DAYS = 14
WAITING_EVERY = 3
HANDLED_AT = time(10, 0)  # Wenzhou time
CASEWORKER = "admin"


def handle_demo_alerts(session: Session, *, as_of: date) -> int:
    """Acknowledge the demo's older open alerts on their handling days; how many."""
    user = session.scalar(select(User).where(col(User.username) == CASEWORKER))
    if user is None:
        return 0
    actor = actor_for(session, user)
    rows = session.execute(
        select(col(Alert.id), col(Alert.first_seen), col(Employer.county_code))
        .join(Employer, col(Employer.id) == col(Alert.employer_id))
        .where(col(Alert.status) == "open", col(Alert.handling) == "new")
        .order_by(col(Employer.county_code), col(Alert.id))
    ).all()
    counties = sorted({county for _, _, county in rows})
    handled = 0
    seen: dict[str, int] = {}
    for alert_id, first_seen, county in rows:
        place = counties.index(county)
        position = seen[county] = seen.get(county, -1) + 1
        if first_seen > as_of - timedelta(days=RECENT_DAYS):
            continue
        if place % 4 == 3 and position % WAITING_EVERY == 0:
            continue
        day = first_seen + timedelta(days=HANDLING_DAYS[place % len(HANDLING_DAYS)] + position % 3)
        day = min(day, as_of)
        alerts.acknowledge(session=session, actor=actor, alert_id=alert_id)
        moment = datetime.combine(day, HANDLED_AT, clock.local_zone()).astimezone(UTC)
        session.execute(update(Alert).where(col(Alert.id) == alert_id).values(handled_at=moment))
        session.execute(
            update(AuditEntry)
            .where(
                col(AuditEntry.entity) == "alert",
                col(AuditEntry.entity_key) == str(alert_id),
                col(AuditEntry.action) == "alert.acknowledge",
            )
            .values(at=moment)
        )
        handled += 1
    return handled
