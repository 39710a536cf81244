"""The permission matrix: every route × every kind of caller, with the exact status.

The routes come from the app's own route table, so a new route without a decision here
fails this test. Objects in the paths belong to employer A (county 330302): inspector A's
jurisdiction, not inspector B's.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from pypdf import PdfWriter
from sqlalchemy import select, text

from service.auth.models import User
from service.clock import utc_now
from service.complaints.form import ComplaintForm
from service.complaints.models import Complaint
from service.config import Settings
from service.db import session_scope
from service.deposits.models import DepositProof
from service.evidence import storage as evidence_storage
from service.evidence.models import ComplaintEvidence
from service.flows.filing import file_complaint
from service.flows.legal_aid import apply as apply_for_legal_aid
from service.imports.models import ImportJob
from service.legal_aid.reference import load_legal_aid
from tests.conftest import shared_reference
from tests.factories import legal_aid_form
from tests.service.portals.conftest import PASSWORD
from tests.service.routes import every_route

ACTORS = (
    "anonymous",
    "worker",
    "employer.a",
    "employer.b",
    "inspector.a",
    "inspector.b",
    "mediator",
    "admin",
    "legal_aid.a",
    "legal_aid.b",
    "supervisor",
)
ROLE = {
    "employer.a": "employer",
    "employer.b": "employer",
    "inspector.a": "inspector",
    "inspector.b": "inspector",
    "mediator": "mediator",
    "admin": "admin",
    "legal_aid.a": "legal_aid",
    "legal_aid.b": "legal_aid",
    "supervisor": "supervisor",
}
# The API documentation, open to everyone.
FRAMEWORK = {
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
}


@dataclass(frozen=True)
class Decision:
    """Who may call a route. `owner` narrows an allowed role to the actors whose scope holds
    the object in the path (employer A's); others of that role get 404."""

    allowed: tuple[str, ...]  # roles, or "everyone"
    ok: int = 200  # the status an allowed caller gets (with the request this test sends)
    owner: bool = False
    # A well-formed body the service refuses (422) without changing anything, so the
    # scope check is what tells callers apart.
    body: dict | None = None
    # Callers whose answer differs from the rule above, with theirs.
    overrides: tuple[tuple[str, int], ...] = ()

    def expected(self, actor: str, api: bool) -> int:
        if actor in dict(self.overrides):
            return dict(self.overrides)[actor]
        if "everyone" in self.allowed:
            return self.ok
        role = ROLE.get(actor)
        if role is None:
            return 401 if api else 303
        if role not in self.allowed:
            return 403
        if self.owner and actor in ("employer.b", "inspector.b", "legal_aid.b"):
            return 404
        return self.ok


EVERYONE = Decision(("everyone",))
STAFF = ("inspector", "admin")
LEGAL_AID = ("legal_aid", "inspector")
# Read-only supervision (the overview): a supervisor besides the staff; every other inspector
# route, and every one that acts, refuses a supervisor (403).
READERS = ("inspector", "admin", "supervisor")

DECISIONS: dict[tuple[str, str], Decision] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): Decision(("everyone",), ok=422),  # no credentials sent
    ("POST", "/logout"): Decision(("everyone",), ok=303),
    ("GET", "/worker"): EVERYONE,
    # The import format and templates: the data contract is public, and they hold no data.
    ("GET", "/imports/format"): EVERYONE,
    ("GET", "/imports/templates/{import_file}.xlsx"): EVERYONE,
    ("GET", "/worker/complaint"): EVERYONE,
    ("POST", "/worker/complaint"): Decision(("everyone",), ok=422),
    ("GET", "/worker/track"): EVERYONE,
    # No code and PIN: refused like a wrong PIN, revealing nothing.
    ("POST", "/worker/track"): Decision(("everyone",), ok=403),
    # Evidence or a message without a case pass: refused like a wrong PIN.
    ("POST", "/worker/track/messages"): Decision(("everyone",), ok=403),
    ("POST", "/worker/track/evidence"): Decision(("everyone",), ok=403),
    # Legal aid: the form for everyone; from a case only with a case pass (none sent here).
    ("GET", "/worker/legal-aid"): EVERYONE,
    ("POST", "/worker/legal-aid"): Decision(("everyone",), ok=422),
    ("POST", "/worker/track/legal-aid"): Decision(("everyone",), ok=403),
    ("GET", "/api/worker/rights"): EVERYONE,
    ("POST", "/api/complaints"): Decision(("everyone",), ok=422),
    ("POST", "/api/complaints/status"): Decision(("everyone",), ok=422),
    ("POST", "/api/auth/token"): Decision(("everyone",), ok=422),
    ("GET", "/api/me"): Decision(
        ("employer", "inspector", "mediator", "admin", "legal_aid", "supervisor")
    ),
    # supervision overview (supervisor A's scope is county 330302, like inspector A's)
    ("GET", "/inspector/overview"): Decision(READERS),
    ("GET", "/api/overview"): Decision(READERS),
    # inspectors
    ("GET", "/inspector/alerts"): Decision(STAFF),
    ("GET", "/api/alerts"): Decision(STAFF),
    ("GET", "/inspector/alerts/{alert_id}"): Decision(STAFF, owner=True),
    ("GET", "/api/alerts/{alert_id}"): Decision(STAFF, owner=True),
    ("POST", "/inspector/alerts/{alert_id}/acknowledge"): Decision(STAFF, 303, owner=True),
    ("POST", "/inspector/alerts/{alert_id}/assign"): Decision(STAFF, 422, owner=True),
    ("POST", "/inspector/alerts/{alert_id}/snooze"): Decision(STAFF, 422, owner=True),
    ("POST", "/inspector/alerts/{alert_id}/resolve"): Decision(STAFF, 422, owner=True),
    ("POST", "/api/alerts/{alert_id}/acknowledge"): Decision(STAFF, owner=True),
    ("POST", "/api/alerts/{alert_id}/assign"): Decision(
        STAFF, 422, owner=True, body={"assignee_id": 2**31 - 1}
    ),
    ("POST", "/api/alerts/{alert_id}/snooze"): Decision(
        STAFF, 422, owner=True, body={"until": "2000-01-01"}
    ),
    ("POST", "/api/alerts/{alert_id}/resolve"): Decision(STAFF, 422, owner=True, body={"note": ""}),
    ("POST", "/inspector/monitors/run"): Decision(STAFF, 303),
    ("POST", "/api/monitors/run"): Decision(STAFF),
    ("GET", "/inspector/employers"): Decision(STAFF),
    ("GET", "/api/employers"): Decision(STAFF),
    ("GET", "/inspector/employers/{employer_id}"): Decision(STAFF, owner=True),
    ("GET", "/api/employers/{employer_id}"): Decision(STAFF, owner=True),
    ("GET", "/inspector/employers/{employer_id}/audit"): Decision(STAFF, owner=True),
    ("GET", "/inspector/employers/{employer_id}/poster.pdf"): Decision(STAFF, owner=True),
    ("GET", "/api/employers/{employer_id}/audit"): Decision(STAFF, owner=True),
    # Checking one employer again now: inspectors of its jurisdiction (and administrators).
    ("POST", "/inspector/employers/{employer_id}/check-again"): Decision(STAFF, 303, owner=True),
    ("POST", "/api/employers/{employer_id}/check-again"): Decision(STAFF, owner=True),
    ("GET", "/inspector/proofs"): Decision(STAFF),
    ("GET", "/api/proofs"): Decision(STAFF),
    ("GET", "/inspector/proofs/{proof_id}"): Decision(STAFF, owner=True),
    ("GET", "/api/proofs/{proof_id}"): Decision(STAFF, owner=True),
    ("GET", "/inspector/proofs/{proof_id}/file"): Decision(STAFF, owner=True),
    ("GET", "/inspector/proofs/{proof_id}/preview.png"): Decision(STAFF, owner=True),
    # The file of a proof: its employer, and inspectors of its jurisdiction.
    ("GET", "/api/proofs/{proof_id}/file"): Decision(("employer", *STAFF), owner=True),
    # Approving a proof already decided: 409 shows the caller got past the scope check.
    ("POST", "/inspector/proofs/{decided_proof_id}/approve"): Decision(STAFF, 409, owner=True),
    ("POST", "/inspector/proofs/{proof_id}/reject"): Decision(STAFF, 422, owner=True),
    ("POST", "/api/proofs/{decided_proof_id}/approve"): Decision(STAFF, 409, owner=True),
    ("POST", "/api/proofs/{proof_id}/reject"): Decision(STAFF, 422, owner=True),
    ("GET", "/inspector/complaints"): Decision(STAFF),
    ("GET", "/api/inspector/complaints"): Decision(STAFF),
    ("GET", "/inspector/complaints/{reference}"): Decision(STAFF, owner=True),
    ("GET", "/api/inspector/complaints/{reference}"): Decision(STAFF, owner=True),
    # The worker's evidence: inspectors of the case's jurisdiction (and the case's mediator).
    ("GET", "/inspector/complaints/{reference}/evidence/{number}"): Decision(STAFF, owner=True),
    # Supervision reports: inspectors of a county or the city (can_read_reports); circulating
    # by e-mail only the city's (no city inspector here: the form without a year is refused).
    ("GET", "/inspector/reports/assessment"): Decision(READERS),
    ("GET", "/inspector/reports/assessment.xlsx"): Decision(READERS),
    ("GET", "/inspector/reports/assessment.pdf"): Decision(READERS),
    ("GET", "/api/reports/assessment"): Decision(READERS),
    ("POST", "/inspector/reports/assessment/email"): Decision(STAFF, 422),
    # Exports of the lists, within the caller's scope.
    ("GET", "/inspector/exports/alerts"): Decision(READERS),
    ("GET", "/inspector/exports/employers"): Decision(READERS),
    ("GET", "/inspector/exports/complaints"): Decision(STAFF),
    ("GET", "/inspector/exports/proofs"): Decision(READERS),
    ("GET", "/inspector/exports/overview"): Decision(READERS),
    # Messages to the worker: inspectors of the case's jurisdiction (an administrator reads
    # the case but is not its handler: 403); an empty message is refused after the scope.
    ("POST", "/inspector/complaints/{reference}/messages"): Decision(
        ("inspector",), 422, owner=True
    ),
    # Taking a case over (立案): the matrix's case is in mediation and in time, so an
    # inspector in scope gets past the scope check to the 409 of an ineligible case.
    ("POST", "/inspector/complaints/{reference}/inspection"): Decision(
        ("inspector",), 409, owner=True
    ),
    # an inspector's own e-mail subscription (administrators have no jurisdiction to follow)
    ("GET", "/inspector/subscriptions"): Decision(("inspector",)),
    ("POST", "/inspector/subscriptions"): Decision(("inspector",), 303),
    ("GET", "/api/subscriptions"): Decision(("inspector",)),
    ("PUT", "/api/subscriptions"): Decision(("inspector",), 422),
    # employers
    ("GET", "/employer"): Decision(("employer",)),
    ("GET", "/employer/poster.pdf"): Decision(("employer",)),
    ("GET", "/api/employer/obligations"): Decision(("employer",)),
    # An employer checks only itself again, once a minute: the API twin (earlier in the run)
    # took each employer's press of this minute, so the page's answer is the limit's 429.
    ("POST", "/api/employer/check-again"): Decision(("employer",)),
    ("POST", "/employer/check-again"): Decision(("employer",), 429),
    ("GET", "/employer/proofs/new"): Decision(("employer",)),
    ("POST", "/employer/proofs/new"): Decision(("employer",), 422),
    ("POST", "/api/employer/proofs"): Decision(("employer",), 422),
    ("GET", "/employer/proofs/{proof_id}/file"): Decision(("employer",), owner=True),
    ("GET", "/employer/imports"): Decision(("employer",)),
    ("POST", "/employer/imports"): Decision(("employer",), 422),
    ("POST", "/api/employer/imports"): Decision(("employer",), 422),
    # An import's progress: the employer who uploaded, and inspectors of its place.
    ("GET", "/employer/imports/jobs/{job_key}"): Decision(("employer",), owner=True),
    ("GET", "/api/imports/jobs/{job_key}"): Decision(("employer", *STAFF), owner=True),
    ("GET", "/employer/complaints"): Decision(("employer",)),
    ("GET", "/api/employer/complaints"): Decision(("employer",)),
    # mediators
    ("GET", "/mediator"): Decision(("mediator",)),
    ("GET", "/mediator/cases/{reference}"): Decision(("mediator",)),
    ("GET", "/mediator/cases/{reference}/evidence/{number}"): Decision(("mediator",)),
    # The API twin (earlier in the run) accepted the case: accepting again is a conflict.
    ("POST", "/mediator/cases/{reference}/accept"): Decision(("mediator",), 409),
    ("POST", "/mediator/cases/{reference}/sessions"): Decision(("mediator",), 422),
    ("POST", "/mediator/cases/{reference}/close"): Decision(("mediator",), 422),
    ("POST", "/mediator/cases/{reference}/messages"): Decision(("mediator",), 422),
    ("GET", "/api/cases"): Decision(("mediator",)),
    ("GET", "/api/cases/{reference}"): Decision(("mediator",)),
    ("POST", "/api/cases/{reference}/accept"): Decision(("mediator",)),
    ("POST", "/api/cases/{reference}/sessions"): Decision(("mediator",), 422),
    ("POST", "/api/cases/{reference}/close"): Decision(("mediator",), 422),
    # legal-aid centres, and the county's inspectors: an application of Lucheng (330302), whose
    # centre has an account, so its inspectors read it but do not record its status.
    ("GET", "/legal-aid"): Decision(LEGAL_AID),
    ("GET", "/api/legal-aid"): Decision(LEGAL_AID),
    ("GET", "/legal-aid/{application_id}"): Decision(LEGAL_AID, owner=True),
    ("GET", "/api/legal-aid/{application_id}"): Decision(LEGAL_AID, owner=True),
    ("POST", "/legal-aid/{application_id}/status"): Decision(
        LEGAL_AID, 422, owner=True, overrides=(("inspector.a", 403),)
    ),
    ("POST", "/api/legal-aid/{application_id}/status"): Decision(
        LEGAL_AID, 422, owner=True, body={"status": ""}, overrides=(("inspector.a", 403),)
    ),
    # administrators
    ("GET", "/admin"): Decision(("admin",), 303),
    ("GET", "/admin/users"): Decision(("admin",)),
    ("GET", "/admin/users/new"): Decision(("admin",)),
    ("POST", "/admin/users/new"): Decision(("admin",), 422),
    ("GET", "/admin/users/{user_id}"): Decision(("admin",)),
    ("POST", "/admin/users/{user_id}"): Decision(("admin",), 422),
    ("GET", "/api/admin/users"): Decision(("admin",)),
    ("POST", "/api/admin/users"): Decision(("admin",), 422),
    ("GET", "/api/admin/users/{user_id}"): Decision(("admin",)),
    ("PATCH", "/api/admin/users/{user_id}"): Decision(("admin",)),
}


def route_table(app) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in every_route(app.routes)
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }


def decided_routes() -> set[tuple[str, str]]:
    return {(method, path.replace("decided_proof_id", "proof_id")) for method, path in DECISIONS}


def test_every_route_has_a_permission_decision(app_client):
    undecided = route_table(app_client.app) - decided_routes() - FRAMEWORK
    assert not undecided, f"routes without a permission decision: {sorted(undecided)}"
    assert not decided_routes() - route_table(app_client.app), "decisions for gone routes"


def _objects(world, upload_dir) -> dict[str, int]:
    with world.engine.connect() as conn:
        alert = (
            conn.execute(
                text("SELECT id FROM alert WHERE employer_id = :e ORDER BY id"),
                {"e": world.employer_a},
            )
            .scalars()
            .first()
        )
        inspector = conn.execute(
            text("SELECT id FROM app_user WHERE username = 'inspector.a'")
        ).scalar_one()
    with session_scope(world.engine) as session:
        submitter = session.scalar(select(User).where(User.username == "employer.a"))
        proof = DepositProof(
            employer_id=world.employer_a,
            kind="receipt",
            amount_fen=100_000,
            event_date=datetime(2026, 11, 1).date(),
            reference="PERM-1",
            original_name="r.pdf",
            stored_name=_stored_pdf(upload_dir),
            content_type="application/pdf",
            size_bytes=5,
            sha256="0" * 64,
            submitted_by_id=submitter.id,
        )
        decided = DepositProof(
            **{
                **proof.model_dump(exclude={"id"}),
                "stored_name": _stored_pdf(upload_dir),
                "status": "rejected",
                "reason": "unreadable scan",
            }
        )
        job = ImportJob(
            key="permission-matrix-job",
            employer_id=world.employer_a,
            user_id=submitter.id,
            status="done",
            folder="0" * 32,
            files=["payroll.csv"],
            report={"ok": True, "summaries": [], "problems": [], "problem_count": 0},
        )
        session.add_all([proof, decided, job])
        session.flush()
        filed = file_complaint(
            session,
            form=ComplaintForm(
                employer_id=world.employer_a,
                county_code="330302",
                town="五马街道",
                description="三个月没发工资",
                period_from="2026-08",
                period_to="2026-10",
                amount_owed="3000",
                workers_affected="1",
            ),
            # Ten days ago: in mediation and still in time, whatever day the suite runs.
            received_at=utc_now() - timedelta(days=10),
            reference=shared_reference(),
        )
        evidence = ComplaintEvidence(
            complaint_id=filed.complaint_id,
            original_name="slip.pdf",
            stored_name=_stored_evidence(upload_dir),
            content_type="application/pdf",
            size_bytes=27,
            sha256="0" * 64,
        )
        session.add(evidence)
        session.flush()
        application = apply_for_legal_aid(
            session,
            form=legal_aid_form(county_code="330302"),
            received_at=utc_now() - timedelta(days=9),
            reference=load_legal_aid(),
            settings=Settings(),
        )
        return {
            "application_id": application.application_id,
            "alert_id": alert,
            "evidence_id": evidence.id,
            "employer_id": world.employer_a,
            "proof_id": proof.id,
            "decided_proof_id": decided.id,
            "complaint_id": filed.complaint_id,
            # Cases are named by their random reference in URLs, their files by number.
            "reference": session.get(Complaint, filed.complaint_id).public_reference,
            "number": 1,
            "user_id": inspector,
            "job_key": job.key,
            "import_file": "payroll",
        }


def _stored_pdf(upload_dir) -> str:
    """A real one-page PDF, so that its preview can be drawn."""
    name = uuid.uuid4().hex + ".pdf"
    upload_dir.mkdir(parents=True, exist_ok=True)
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    with (upload_dir / name).open("wb") as handle:
        writer.write(handle)
    return name


def _stored_evidence(upload_dir) -> str:
    name = uuid.uuid4().hex + ".pdf"
    evidence_storage.folder(upload_dir).mkdir(parents=True, exist_ok=True)
    (evidence_storage.folder(upload_dir) / name).write_bytes(b"%PDF-1.4 permission matrix\n")
    return name


def _caller(client: TestClient, actor: str) -> dict[str, str]:
    """Headers that make a request come from `actor`: the session cookie and CSRF cookie
    for pages, a bearer token for the API (none for anonymous callers and workers)."""
    page = client.get("/login")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    headers = {"cookie": f"wg_csrf={csrf}", "x-csrf": csrf}
    if actor in ROLE:
        signed = client.post(
            "/login",
            data={"username": actor, "password": PASSWORD, "csrf_token": csrf},
            headers={"cookie": f"wg_csrf={csrf}"},
            follow_redirects=False,
        )
        session_cookie = signed.cookies["wg_session"]
        headers["cookie"] += f"; wg_session={session_cookie}"
        token = client.post("/api/auth/token", json={"username": actor, "password": PASSWORD})
        headers["authorization"] = f"Bearer {token.json()['access_token']}"
    client.cookies.clear()
    return headers


def test_every_route_answers_every_caller_with_the_decided_status(app_client, world):
    # Every caller posts from the test client's one address: lift the per-address limits that
    # a real client would meet only after more applications than the matrix sends.
    app_client.app.state.settings.legal_aid_applications_per_address = 1000
    objects = _objects(world, app_client.app.state.settings.upload_dir)
    callers = {actor: _caller(app_client, actor) for actor in ACTORS}
    wrong = []
    # Signing out ends the callers' sessions: that route goes last.
    for method, template in sorted(DECISIONS, key=lambda route: (route[1] == "/logout", route)):
        path = template.format(**objects)
        api = path.startswith("/api/")
        for actor in ACTORS:
            headers = dict(callers[actor])
            if api:
                headers.pop("cookie")
            else:
                headers.pop("authorization", None)
            data = None if api else {"csrf_token": headers["x-csrf"]}
            decision = DECISIONS[(method, template)]
            json = (decision.body or {}) if api and method in ("POST", "PATCH", "PUT") else None
            response = app_client.request(
                method, path, headers=headers, data=data, json=json, follow_redirects=False
            )
            app_client.cookies.clear()
            want = decision.expected(actor, api)
            if response.status_code != want:
                wrong.append(f"{method} {path} as {actor}: {response.status_code}, want {want}")
    assert not wrong, "\n".join(wrong)
