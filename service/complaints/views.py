"""Labels and explanations shared by the worker's and the handlers' views of a case."""

from monitors.reference import Reference
from service.complaints.models import Complaint

STATUS_LABELS = {
    "received": ("已收到，等待调解组织受理", "Received; waiting to be accepted"),
    "accepted": ("调解中", "In mediation"),
    "closed": ("已结案", "Closed"),
}
OUTCOME_LABELS = {
    "agreement": ("已结案：达成调解协议", "Closed: agreement reached"),
    "failure": ("已结案：调解不成", "Closed: mediation failed"),
    "withdrawal": ("已结案：投诉已撤回", "Closed: complaint withdrawn"),
}
EVENT_LABELS = {
    "received": ("收到投诉", "Complaint received"),
    "routed": ("转交调解组织", "Sent to a mediation body"),
    "unrouted": ("转交劳动保障监察机构", "Passed to the labour inspectors"),
    "inspectors_alerted": ("已通知劳动保障监察机构", "Labour inspectors informed"),
    "accepted": ("调解组织受理", "Accepted by the mediation body"),
    "session": ("调解会议", "Mediation session"),
    "closed": ("结案", "Case closed"),
    "reminder": ("调解期限提醒", "Mediation deadline reminder"),
    "evidence": ("证据已上传", "Evidence uploaded"),
    "message_from_worker": ("申请人留言", "Message from the complainant"),
    "message_to_worker": ("承办人留言", "Message from the handler"),
    "inspection_opened": ("已由劳动保障监察立案处理", "Taken over by the labour inspectors"),
}


# Events whose note is the machine's own record (a routing rule, an urgency code): the page
# says the same in words elsewhere, so it shows no note for them.
MACHINE_NOTES = {"routed", "unrouted", "inspectors_alerted", "inspection_opened"}
OUTCOME_WORDS = {
    "agreement": ("达成调解协议", "agreement reached"),
    "failure": ("调解不成", "mediation failed"),
    "withdrawal": ("投诉已撤回", "complaint withdrawn"),
}


def event_notes(kind: str, note: str | None) -> tuple[str | None, str | None]:
    """An event's note as a person reads it (zh, en): outcomes in words, dates as they are,
    nothing for the machine's own notes."""
    if not note or kind in MACHINE_NOTES:
        return None, None
    if kind == "closed":
        return OUTCOME_WORDS.get(note, (None, None))
    return note, note


def status_labels(complaint: Complaint) -> tuple[str, str]:
    if complaint.status == "closed" and complaint.outcome in OUTCOME_LABELS:
        return OUTCOME_LABELS[complaint.outcome]
    return STATUS_LABELS.get(complaint.status, (complaint.status, complaint.status))


def event_labels(kind: str) -> tuple[str, str]:
    return EVENT_LABELS.get(kind, (kind, kind))


def arbitration_texts(complaint: Complaint, reference: Reference) -> tuple[str, str] | None:
    """For a failed mediation: where to go next, by when, and how that date was found."""
    if complaint.outcome != "failure" or complaint.arbitration_deadline is None:
        return None
    limitation = reference.param("arbitration_limitation_years", on=complaint.received_on)
    day = complaint.arbitration_deadline.isoformat()
    zh = (
        f"调解不成，您可以向劳动人事争议仲裁委员会申请仲裁，仲裁不收费。请在 {day} 之前申请："
        f"仲裁时效为{limitation.value}年（{limitation.basis.zh}），您的投诉使时效中断并重新计算；"
        "这里从收到投诉之日起算，是最保守的日期，实际期限不会更早。"
    )
    en = (
        "Mediation failed: you can apply to the labour-dispute arbitration commission, free of "
        f"charge. Apply by {day}: the limitation period is {limitation.value} year(s) "
        f"({limitation.basis.en}), and your complaint interrupted it so that it runs afresh. "
        "The date counts from the day your complaint was received, the most cautious reading: "
        "the real limit is not earlier."
    )
    return zh, en
