"""Enqueue writes the message in the caller's transaction, once per dedupe key."""

import re
from email.utils import parseaddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import Session

from service.db import session_scope
from service.notifications import outbox as outbox_module
from service.notifications.audience import Audience
from service.notifications.outbox import (
    PLAIN_ADDRESS,
    NewMessage,
    enqueue,
    enqueue_all,
    is_deliverable,
)
from tests.service.notifications.conftest import outbox
from tests.service.notifications.samples import SAMPLES

CONTEXT = SAMPLES["case_reminder"][0]


def _message(key: str = "k1", address: str = "med@tj.example.org") -> NewMessage:
    return {
        "kind": "case_reminder",
        "dedupe_key": key,
        "to_address": address,
        "language": "zh-CN",
        "context": CONTEXT,
        "audience": Audience(),
    }


def _enqueue(session: Session, key: str = "k1", address: str = "med@tj.example.org"):
    return enqueue(session, **_message(key, address))


def test_a_rolled_back_transaction_leaves_no_message(engine):
    with Session(engine) as session:
        assert _enqueue(session) is not None
        session.rollback()
    assert outbox(engine) == []


def test_a_committed_transaction_leaves_the_rendered_message(engine):
    with session_scope(engine) as session:
        _enqueue(session)
    [message] = outbox(engine)
    assert message.status == "pending" and message.attempts == 0
    assert message.kind == "case_reminder" and message.language == "zh-CN"
    assert "还剩 3 天" in message.subject
    assert "K7Q2-9XWM" in message.body_text and "<!DOCTYPE html>" in message.body_html
    assert re.fullmatch(r"<outbox-[0-9a-f-]{36}@wageguard\.local>", message.message_id)
    assert message.not_before == message.created_at == message.next_attempt_at


def test_an_error_after_enqueue_in_the_same_transaction_leaves_no_message(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        _enqueue(session)
        raise RuntimeError("the event failed after queuing its e-mail")
    assert outbox(engine) == []


def test_a_repeated_dedupe_key_is_a_no_op(engine):
    with session_scope(engine) as session:
        first = _enqueue(session)
        assert _enqueue(session) is None
    with session_scope(engine) as session:
        assert _enqueue(session) is None
    [message] = outbox(engine)
    assert message.message_id == first.message_id


def test_a_key_already_queued_is_skipped_and_the_transaction_goes_on(engine):
    with session_scope(engine) as session:
        _enqueue(session)
    with session_scope(engine) as session:
        # The insert itself skips the key (ON CONFLICT DO NOTHING): a concurrent transaction
        # committing it between a check and an insert cannot fail the caller's transaction.
        assert _enqueue(session) is None
        assert _enqueue(session, key="k2") is not None
    assert sorted(m.dedupe_key for m in outbox(engine)) == ["k1", "k2"]


def test_a_duplicate_key_costs_one_statement(engine):
    with session_scope(engine) as session:
        _enqueue(session)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with session_scope(engine) as session:
        assert _enqueue(session) is None
    # No look-up before the insert and no savepoint around it.
    assert [s.split()[0] for s in statements if "outbox_message" in s] == ["INSERT"]
    assert not [s for s in statements if "SAVEPOINT" in s.upper()]


def test_many_messages_are_rendered_and_inserted_a_statement_at_a_time(engine, monkeypatch):
    """A run that opens alerts for most of a city queues tens of thousands of e-mails: a
    statement's worth is rendered at a time, and a key already queued is skipped in any."""
    monkeypatch.setattr(outbox_module, "MESSAGES_PER_STATEMENT", 2)
    with session_scope(engine) as session:
        _enqueue(session, key="k3")
    inserts = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda *args: inserts.append(args[2]) if args[2].startswith("INSERT INTO outbox") else None,
    )
    with session_scope(engine) as session:
        messages = [_message(f"k{n}") for n in range(1, 6)]
        assert enqueue_all(session, messages) == 4  # k3 was queued before
    assert len(inserts) == 3  # 2 + 2 + 1
    queued = outbox(engine)
    assert sorted(m.dedupe_key for m in queued) == ["k1", "k2", "k3", "k4", "k5"]
    assert all("K7Q2-9XWM" in m.body_text for m in queued)


@pytest.mark.parametrize(
    "address",
    ["", "no-at-sign", "a@b", "Name <a@b.cn>", "a@b.cn\r\nBcc: x@y.cn", "a@b.cn, c@d.cn"],
)
def test_an_undeliverable_address_is_refused(engine, address):
    assert not is_deliverable(address)
    with Session(engine) as session, pytest.raises(ValueError):
        _enqueue(session, address=address)


def test_a_plain_address_is_deliverable():
    assert is_deliverable("hr-91330302ma0000001x@example.com")


@settings(max_examples=500, deadline=None)
@given(st.from_regex(PLAIN_ADDRESS, fullmatch=True))
def test_an_address_recognised_as_plain_is_one_parsing_accepts(address):
    name, parsed = parseaddr(address)
    local, _, domain = parsed.rpartition("@")
    assert (name, parsed) == ("", address) and local and "." in domain
