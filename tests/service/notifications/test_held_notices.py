"""A notice to an employer is held until the week of the complaint is over (the complainant
shield): when it is released it is checked again, through the real sender to a real SMTP
server — still for this employer's current address, rebuilt from the case as it stands, and
never with anything that narrows down a worker who did not agree to be known."""

from datetime import timedelta

from sqlalchemy import update

from service.clock import utc_now
from service.complaints.disclosure import release_instant
from service.complaints.models import Complaint
from service.db import session_scope
from service.employers.models import Employer
from service.notifications.audience import Audience
from service.notifications.outbox import enqueue
from service.notifications.sender import deliver_due
from service.notifications.service import notify_employer_complaint
from tests.conftest import shared_reference
from tests.service.notifications.conftest import make_complaint, outbox
from tests.service.notifications.samples import SAMPLES

EMPLOYER_A = "hr@shoes.example.cn"
# What a payroll or a colleague could match to one worker, as the e-mails would write it.
IDENTIFYING = ("张三丰", "13912345678", "老板说下个月发", "2026-08", "18,000.00", "11月20日")


def held_notice(world, **complaint) -> Complaint:
    with session_scope(world.engine) as session:
        filed = make_complaint(session, world, **complaint)
        assert notify_employer_complaint(session, filed.id, reference=shared_reference()) == 1
        return filed


def released(filed: Complaint):
    """A minute after the notice may leave (the Monday after the complaint's week, and not
    before it was queued)."""
    return max(release_instant(filed.received_on), utc_now()) + timedelta(minutes=1)


def change(world, model, row_id: int, **values) -> None:
    with session_scope(world.engine) as session:
        session.execute(update(model).where(model.id == row_id).values(**values))


async def test_a_held_notice_leaves_at_release_and_obeys_the_shield(world, smtp_server, settings):
    this_week = utc_now().date() - timedelta(days=utc_now().weekday())
    filed = held_notice(world, received_on=this_week)
    before = release_instant(filed.received_on) - timedelta(minutes=1)
    assert await deliver_due(world.engine, settings, before) == 0  # held

    assert await deliver_due(world.engine, settings, released(filed)) == 1
    [mail] = smtp_server.received
    assert mail.to == EMPLOYER_A and filed.public_reference in mail.subject
    for value in (*IDENTIFYING, filed.tracking_code):
        assert value not in mail.subject + mail.text + mail.html


async def test_a_held_notice_is_withdrawn_when_the_complaint_no_longer_names_the_employer(
    world, smtp_server, settings
):
    filed = held_notice(world)
    # The worker picked the wrong company: an inspector corrects the complaint meanwhile.
    change(world, Complaint, filed.id, employer_id=world.employer_c)

    assert await deliver_due(world.engine, settings, released(filed)) == 0
    assert smtp_server.received == []
    [message] = outbox(world.engine, kind="employer_complaint_notice")
    assert message.status == "withdrawn"
    assert "no longer about this employer" in message.last_error


async def test_a_held_notice_is_withdrawn_when_the_employers_address_changed(
    world, smtp_server, settings
):
    filed = held_notice(world)
    change(world, Employer, world.employer_a, contact_email="new-hr@shoes.example.cn")

    assert await deliver_due(world.engine, settings, released(filed)) == 0
    assert smtp_server.received == []
    [message] = outbox(world.engine, kind="employer_complaint_notice")
    assert (message.status, message.to_address) == ("withdrawn", EMPLOYER_A)


async def test_a_notice_is_rebuilt_at_send_time_when_the_worker_withdrew_consent(
    world, smtp_server, settings
):
    # Consent at filing: the notice with the worker's name is queued to leave at once …
    filed = held_notice(world, disclose_identity=True)
    [queued] = outbox(world.engine, kind="employer_complaint_notice")
    assert "张三丰" in queued.body_text
    # … but the worker takes it back before the sender gets to it.
    change(world, Complaint, filed.id, disclose_identity=False)

    assert await deliver_due(world.engine, settings, released(filed)) == 1
    [mail] = smtp_server.received
    assert mail.to == EMPLOYER_A and filed.public_reference in mail.subject
    for value in (*IDENTIFYING, filed.tracking_code):
        assert value not in mail.subject + mail.text + mail.html
    [message] = outbox(world.engine, kind="employer_complaint_notice")
    assert "张三丰" not in message.body_text  # the row holds what was sent


async def test_any_mail_to_an_employer_naming_an_undisclosed_complainant_is_withdrawn(
    world, smtp_server, settings
):
    with session_scope(world.engine) as session:
        filed = make_complaint(session, world, worker_name="欧阳春花", phone="13700001111")
        # Built elsewhere, by mistake: an employer's message that names the worker.
        context = SAMPLES["proof_decision"][0]
        sample = enqueue(
            session,
            kind="proof_decision",
            dedupe_key="careless",
            to_address=EMPLOYER_A,
            language="zh-CN",
            context=context,
            audience=Audience(employer_id=world.employer_a),
        )
        session.flush()
        session.execute(
            update(type(sample))
            .where(type(sample).id == sample.id)
            .values(body_text=sample.body_text + "\n联系人：欧阳春花 13700001111")
        )
    assert await deliver_due(world.engine, settings, released(filed)) == 0
    assert smtp_server.received == []
    [message] = outbox(world.engine, dedupe_key="careless")
    assert message.status == "withdrawn"
    assert "worker_name" in message.last_error and "phone" in message.last_error
    assert "欧阳春花" not in message.last_error  # the reason names fields, never values
