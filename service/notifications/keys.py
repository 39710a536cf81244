"""The outbox's dedupe keys, in one place: each names the event and what makes a message
another one, so telling the same event twice queues nothing new (outbox.enqueue skips a key
already queued). A recipient's part is `user:<id>`, `committee:<id>` or `employer:<id>`."""

import hashlib
from datetime import date

# Longer lists of opening events are digested (the key column holds 200 characters).
OPENINGS_SPELLED_OUT = 100


def user(user_id: int | None) -> str:
    return f"user:{user_id}"


def committee(committee_id: int | None) -> str:
    return f"committee:{committee_id}"


def employer(employer_id: int | None) -> str:
    return f"employer:{employer_id}"


def alert_critical(employer_id: int, opening_ids: list[int], recipient: str) -> str:
    """One per employer, recipient and the openings (or reopenings) of the critical alerts it
    lists: the same openings told twice queue nothing, a reopening is news again. Many
    openings are named by their digest, to fit the key's column."""
    openings = _joined(opening_ids)
    if len(openings) > OPENINGS_SPELLED_OUT:
        openings = "sha256-" + hashlib.sha256(openings.encode()).hexdigest()
    return f"alert_critical:{employer_id}:{openings}:{recipient}"


def employer_alerts(employer_id: int, run_ids: list[int], held_until: date | None) -> str:
    """One per employer and the runs whose alerts it lists; a notice held back by the
    complainant shield is another message than one sent at once."""
    held = f":held:{held_until.isoformat()}" if held_until else ""
    return f"employer_alerts:{employer_id}:run:{_joined(run_ids)}{held}"


def _joined(ids: list[int]) -> str:
    """Ids in ascending order, one key part: '4-12'."""
    return "-".join(str(id_) for id_ in sorted(ids))


def digest(user_id: int, day: date) -> str:
    """One per inspector and day."""
    return f"digest:{user_id}:{day.isoformat()}"


def digest_day(key: str) -> date:
    """The day of a `digest` key."""
    return date.fromisoformat(key.rsplit(":", 1)[1])


def proof_decision(proof_id: int, status: str) -> str:
    return f"proof_decision:{proof_id}:{status}"


def case_new(complaint_id: int, recipient: str) -> str:
    return f"case_new:{complaint_id}:{recipient}"


def case_reminder(complaint_id: int, due_on: date | None, days_left: int, recipient: str) -> str:
    """The due date is part of the key: an extended period earns its own reminders."""
    return f"case_reminder:{complaint_id}:{due_on}:{days_left}:{recipient}"


def employer_complaint(complaint_id: int) -> str:
    return f"employer_complaint:{complaint_id}"


def employer_complaint_id(key: str) -> int | None:
    """The complaint of an `employer_complaint` key; None for any other key."""
    kind, _, rest = key.partition(":")
    return int(rest) if kind == "employer_complaint" and rest.isdigit() else None


def group_complaint(complaint_id: int, recipient: str) -> str:
    return f"group_complaint:{complaint_id}:{recipient}"


def legal_aid_application(application_id: int, recipient: str) -> str:
    return f"legal_aid_application:{application_id}:{recipient}"
