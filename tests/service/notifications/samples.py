"""One filled context per e-mail kind, for the meta-test and the outbox tests."""

from datetime import date

from service.notifications import contexts as c

ALERT = c.AlertItem(
    id=42,
    rule="wages.unpaid",
    title="工资未按时足额支付",
    severity="critical",
    employer_name="温州鹿城鞋业有限公司",
    employer_uscc="91330302MA0000001X",
    place="鹿城区 双屿街道",
    project_code="330302202401010001",
    period="2026-10",
    subject_count=12,
    amount_fen=12_345_678,
    url="http://127.0.0.1:8000/inspector/alerts/42",
)
CASE = c.CaseFacts(
    reference="K7Q2-9XWM",
    kind="unpaid_wages",
    employer_name="温州瓯江建设有限公司",
    place="瓯海区 娄桥街道",
    project_name="瓯海大道改造工程",
    period_from="2026-08",
    period_to="2026-10",
    amount_owed_fen=4_560_000,
    workers_affected=14,
    received_on=date(2026, 11, 20),
    mediation_due_on=date(2026, 12, 5),
    committee_name="娄桥街道人民调解委员会",
)

SAMPLES: dict[str, list[object]] = {
    "alert_critical": [
        c.AlertCritical(
            recipient_name="陈监察",
            alert=ALERT,
            action="责令限期支付",
            legal_basis="《保障农民工工资支付条例》第十一条",
        )
    ],
    "alert_digest": [
        c.AlertDigest(
            recipient_name="Inspector Lin",
            digest_on=date(2026, 12, 1),
            alerts=(ALERT, c.AlertItem(**{**ALERT.__dict__, "id": 43, "severity": "medium"})),
            inbox_url="http://127.0.0.1:8000/inspector/alerts",
        )
    ],
    "case_new": [
        c.CaseNew(
            recipient_name="调解员",
            committee_name="娄桥街道人民调解委员会",
            case=CASE,
            routing_reason="所在街道的人民调解委员会",
            is_group=True,
            url="http://127.0.0.1:8000/mediator/cases/7",
        )
    ],
    "case_reminder": [
        c.CaseReminder(
            recipient_name="调解员",
            committee_name="娄桥街道人民调解委员会",
            case=CASE,
            days_left=3,
            url="http://127.0.0.1:8000/mediator/cases/7",
        )
    ],
    "proof_decision": [
        c.ProofDecision(
            recipient_name="HR",
            employer_name="温州瓯江建设有限公司",
            approved=approved,
            reason=None if approved else "回单金额与申报金额不符",
            proof_kind="receipt",
            amount_fen=30_000_000,
            event_date=date(2026, 11, 2),
            reference="BOC-2026-1102",
            project_name="瓯海大道改造工程",
            url="http://127.0.0.1:8000/employer",
        )
        for approved in (True, False)
    ],
    "employer_alert_notice": [
        c.EmployerAlertNotice(
            employer_name="温州鹿城鞋业有限公司",
            alerts=tuple(
                c.EmployerAlertLine(
                    alert=ALERT,
                    action="补发工资并上传支付凭证",
                    legal_basis="《保障农民工工资支付条例》第十一条",
                )
                for _ in range(count)
            ),
            portal_url="http://127.0.0.1:8000/employer",
        )
        for count in (1, 2)
    ],
    "employer_complaint_notice": [
        c.EmployerComplaintNotice(
            employer_name="温州瓯江建设有限公司",
            case=CASE,
            committee_contact="louqiao@example.org",
            legal_basis="《劳动争议调解仲裁法》第十四条",
            portal_url="http://127.0.0.1:8000/employer",
        ),
        c.EmployerComplaintNoticeWithIdentity(
            employer_name="温州瓯江建设有限公司",
            case=CASE,
            committee_contact=None,
            legal_basis="《劳动争议调解仲裁法》第十四条",
            portal_url="http://127.0.0.1:8000/employer",
            worker_name="张三",
            phone="13800000001",
        ),
    ],
    "group_complaint_alert": [
        c.GroupComplaintAlert(
            recipient_name="陈监察",
            case=CASE,
            is_group=True,
            is_construction=True,
            url="http://127.0.0.1:8000/inspector/complaints/7",
        )
    ],
}
