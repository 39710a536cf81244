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
    project_name="瓯海大道改造工程",
)
CASE = c.CaseFacts(
    reference="K7Q2-9XWM",
    kind="unpaid_wages",
    employer_name="温州瓯江建设有限公司",
    employer_registered=True,
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
            employer_name=ALERT.employer_name,
            alerts=(c.AlertLine(ALERT, "责令限期支付", "《保障农民工工资支付条例》第十一条"),),
        ),
        c.AlertCritical(
            recipient_name="陈监察",
            employer_name=ALERT.employer_name,
            alerts=(
                c.AlertLine(ALERT, "责令限期支付", "《保障农民工工资支付条例》第十一条"),
                c.AlertLine(
                    c.AlertItem(
                        **{
                            **ALERT.__dict__,
                            "id": 44,
                            "title": "未缴纳工伤保险",
                            "url": ALERT.url.replace("42", "44"),
                        }
                    ),
                    "责令限期参保",
                    "《工伤保险条例》第二条",
                ),
            ),
        ),
        c.AlertCritical(  # a mass event: the first CRITICAL_LISTED listed, the rest counted
            recipient_name="陈监察",
            employer_name=ALERT.employer_name,
            alerts=(c.AlertLine(ALERT, "责令限期支付", "《保障农民工工资支付条例》第十一条"),) * 2,
            unlisted=3,
            inbox_url="http://127.0.0.1:8000/inspector/alerts?severity=critical&q=91330302MA0000001X",
        ),
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
            url="http://127.0.0.1:8000/mediator/cases/R7K3M9QXA",
        )
    ],
    "case_reminder": [
        c.CaseReminder(
            recipient_name="调解员",
            committee_name="娄桥街道人民调解委员会",
            case=CASE,
            days_left=3,
            url="http://127.0.0.1:8000/mediator/cases/R7K3M9QXA",
        )
    ],
    "case_message": [
        c.CaseMessageNotice(
            recipient_name="调解员", case=CASE, url="http://127.0.0.1:8000/mediator/cases/7"
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
                c.AlertLine(
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
            reference="R7K3M9Q2X",
            received_week="2026年第47周",
            committee_name="娄桥街道人民调解委员会",
            committee_contact="louqiao@example.org",
            committee_phone="12348",
            committee_address="温州市瓯海区娄桥街道古岸头路1号",
            legal_basis="《劳动争议调解仲裁法》第十四条",
            portal_url="http://127.0.0.1:8000/employer",
        ),
        c.EmployerComplaintNotice(
            employer_name="温州瓯海五金有限公司",
            reference="R4W8PXZ6B",
            received_week="week of 2026-11-16",
            committee_name=None,
            committee_contact=None,
            committee_phone=None,
            committee_address=None,
            legal_basis="Law on Labour Dispute Mediation and Arbitration, Art. 14",
            portal_url="http://127.0.0.1:8000/employer",
        ),
        c.EmployerComplaintNoticeWithIdentity(
            employer_name="温州瓯江建设有限公司",
            reference="R7K3M9Q2X",
            received_week="2026年第47周",
            committee_name="娄桥街道人民调解委员会",
            case=CASE,
            committee_contact=None,
            committee_phone=None,
            committee_address=None,
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
            url="http://127.0.0.1:8000/inspector/complaints/R7K3M9QXA",
        ),
        c.GroupComplaintAlert(
            recipient_name="陈监察",
            case=c.CaseFacts(
                **{
                    **CASE.__dict__,
                    "employer_name": "【紧急】请点击 http://evil.example 核实",
                    "employer_registered": False,
                }
            ),
            is_group=True,
            is_construction=False,
            url="http://127.0.0.1:8000/inspector/complaints/R8HTW2ZPB",
        ),
    ],
    "assessment_report": [
        c.AssessmentReport(
            period="2026年",
            cut_off=date(2026, 11, 30),
            lines=[
                c.AssessmentLine(1, "鹿城区", "91.5", 0),
                c.AssessmentLine(2, "瓯海区", "78.0", 12),
                c.AssessmentLine(None, "洞头区", "—", 0),
            ],
            sent_by="温州市劳动监察支队",
            is_digest=False,
            url="http://127.0.0.1:8000/inspector/reports/assessment?year=2026",
        ),
    ],
    "legal_aid_application": [
        c.LegalAidApplicationNew(
            recipient_name="鹿城区法律援助中心",
            centre_name="温州市鹿城区法律援助中心",
            application_id=3,
            matter="追索劳动报酬（欠薪）",
            place="鹿城区",
            received_on=date(2026, 11, 20),
            hardship_check_exempt=True,
            legal_basis="《中华人民共和国法律援助法》第四十二条第三项",
            from_case=True,
            centre_has_account=True,
            url="http://127.0.0.1:8000/legal-aid/3",
        ),
        c.LegalAidApplicationNew(
            recipient_name="龙湾区劳动监察员",
            centre_name="温州市龙湾区法律援助中心",
            application_id=4,
            matter="其他法律事项",
            place="龙湾区",
            received_on=date(2026, 11, 21),
            hardship_check_exempt=False,
            legal_basis="《中华人民共和国法律援助法》第四十一条",
            from_case=False,
            centre_has_account=False,
            url="http://127.0.0.1:8000/legal-aid/4",
        ),
    ],
}
