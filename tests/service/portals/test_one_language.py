"""No English words or internal codes on Chinese pages (issue 13, item 4).

Every role of the portals' world signs in and walks every HTML page it can reach by its
links (plus the pages named below), in zh-CN; the visible text of each page (tags, scripts,
styles and attribute values stripped; text marked `lang="en"` skipped, such as the "English"
language switch) may hold ASCII words only from an allow list: codes the page is about
(USCC, identity numbers, tracking codes, case references), amounts, dates, addresses, and
proper nouns such as WageGuard or PDF.
"""

import re
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select

from service.alerts import service as alerts
from service.auth.models import User
from service.auth.service import actor_for, create_user
from service.db import session_scope
from service.mediation import service as mediation
from tests.conftest import shared_reference
from tests.factories import complaint_in_world, valid_files
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_permissions import _objects

# Proper nouns and file formats a Chinese page may name as they are.
ALLOWED_WORDS = {
    "WageGuard", "ECharts", "PDF", "XLSX", "CSV", "API", "SMS", "PIN", "JSON", "PNG",
    "JPEG", "JPG", "xlsx", "csv", "pdf", "Excel", "WPS", "OpenAPI", "ID", "USCC", "GB", "GB/T",
    "UTF", "x",
}  # fmt: skip
# A code: capitals and digits (a USCC, an identity number ending in X, a tracking code, a
# case reference "R…", a file's checksum), with hyphens between parts.
CODE = re.compile(r"^[0-9A-Z]+(?:-[0-9A-Z]+)*$")
HAS_DIGIT = re.compile(r"\d")
URL_OR_MAIL = re.compile(r"^(?:https?://\S+|/\S*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+\.[\w.-]+)$")
WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@/+\-]*[A-Za-z0-9_]|[A-Za-z]")
# A county's code shown where its name belongs (Wenzhou's are 3303xx).
# (Not the first digits of a masked identity number, 330302********1235.)
PLACE_CODE = re.compile(r"(?<![\w,.*])3303\d\d(?![\w,.*])")
# Literal values a page is explicitly about: the import format's true/false and encodings.
# (The import format is about the codes a file holds: county codes are what it asks for.)
PAGE_WORDS = {"/imports/format": {"true", "false", "yes", "BOM", "place codes"}}

# Where each role starts; every link it finds from there is followed.
STARTS = {
    "anonymous": ["/", "/worker", "/worker/complaint", "/worker/track", "/worker/legal-aid",
                  "/imports/format", "/login"],
    "inspector.a": ["/inspector/alerts", "/inspector/employers", "/inspector/proofs",
                    "/inspector/complaints", "/inspector/overview",
                    "/inspector/reports/assessment", "/inspector/subscriptions", "/legal-aid",
                    "/inspector/alerts/{alert_id}", "/inspector/employers/{employer_id}",
                    "/inspector/employers/{employer_id}/audit", "/inspector/proofs/{proof_id}",
                    "/inspector/complaints/{reference}", "/inspector/alerts/999999",
                    "/inspector/employers/999999"],
    "supervisor": ["/inspector/overview", "/inspector/reports/assessment", "/inspector/alerts"],
    "admin": ["/admin/users", "/admin/users/new", "/admin/users/{user_id}",
              "/inspector/alerts", "/inspector/alerts/{alert_id}"],
    "employer.a": ["/employer", "/employer/proofs/new", "/employer/imports",
                   "/employer/complaints", "/employer/imports/jobs/{job_key}",
                   "/inspector/alerts", "/mediator"],
    "mediator": ["/mediator", "/mediator/cases/{mediated}", "/mediator/cases/R0000000000",
                 "/employer"],
    "legal_aid.a": ["/legal-aid", "/legal-aid/{application_id}", "/legal-aid/999999"],
}  # fmt: skip
# Downloads and actions, not pages.
NOT_PAGES = re.compile(
    r"(\.pdf|\.xlsx|\.csv|\.png|/file|/evidence/\d+|/exports/|/logout|/docs|/openapi\.json"
    r"|/static/|/api/)"
)
PAGES_PER_ROLE = 80
VARIANTS_PER_PATH = 3  # filters and pages of a list: a few of each are enough


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts or styles, no attribute values, nothing in English
    that says so (`lang="en"`)."""

    # Not read, or a code the page is about as it is (a column key, a file name).
    HIDDEN = frozenset({"script", "style", "template", "noscript", "code", "kbd", "samp"})
    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text skipped
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag in self.VOID:
            return
        skipped = (self.stack[-1] if self.stack else False) or tag in self.HIDDEN
        skipped = skipped or (values.get("lang") or "").startswith("en")
        self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def english_words(visible: str, page: str = "") -> list[str]:
    allowed = ALLOWED_WORDS | PAGE_WORDS.get(urlsplit(page).path, set())
    found = []
    for word in WORD.findall(visible):
        bare = word.strip(".:/-")
        if not re.search(r"[A-Za-z]", bare):
            continue  # numbers, amounts, dates, times
        if bare in allowed or URL_OR_MAIL.match(bare):
            continue
        # (random codes may hold no digit: a case reference "R" + 8, a tracking code of 12)
        if CODE.match(bare) and (HAS_DIGIT.search(bare) or len(bare) <= 2 or len(bare) >= 8):
            continue
        found.append(word)
    if "place codes" not in allowed:
        found += [f"place code {code}" for code in PLACE_CODE.findall(visible)]
    return found


def _seed(world, upload_dir) -> dict[str, object]:
    """The permission matrix's objects, a case for the mediator, handling on an alert (an
    assignee, a note) and Chinese display names, so that pages show names, not accounts."""
    objects: dict[str, object] = dict(_objects(world, upload_dir))
    filed = complaint_in_world(world)
    # A case mediated and closed without agreement, for the timelines' outcome words.
    failed = complaint_in_world(world, days_ago=10)
    with world.engine.begin() as conn:
        # What an inspector typed is shown as typed: in Chinese, as inspectors write.
        conn.execute(
            text("UPDATE deposit_proof SET reason = '扫描件看不清' WHERE reason IS NOT NULL")
        )
        for username, name in (
            ("inspector.a", "鹿城区监察员甲"), ("inspector.b", "瓯海区监察员乙"),
            ("admin", "系统管理员"), ("employer.a", "甲公司经办人"), ("mediator", "五马调解员"),
            ("legal_aid.a", "鹿城区法律援助中心"), ("supervisor", "市督查员"),
        ):  # fmt: skip
            conn.execute(
                text("UPDATE app_user SET display_name = :n WHERE username = :u"),
                {"n": name, "u": username},
            )
        objects["mediated"] = conn.execute(
            text("SELECT public_reference FROM complaint WHERE id = :i"),
            {"i": filed.complaint_id},
        ).scalar_one()
    with session_scope(world.engine) as session:
        colleague = create_user(
            session=session,
            actor=None,
            username="inspector.a2",
            password=PASSWORD,
            role="inspector",
            display_name="鹿城区监察员丙",
            scopes=["330302"],
        )
        user = session.exec(select(User).where(User.username == "inspector.a")).one()
        inspector = actor_for(session, user)
        alert_id = int(objects["alert_id"])
        alerts.acknowledge(session=session, actor=inspector, alert_id=alert_id)
        alerts.assign(session=session, actor=inspector, alert_id=alert_id, assignee_id=colleague.id)
        mediator = actor_for(
            session, session.exec(select(User).where(User.username == "mediator")).one()
        )
        mediation.accept(session, mediator, failed.complaint_id)
        mediation.close(
            session,
            mediator,
            failed.complaint_id,
            "failure",
            note="双方分歧较大",
            reference=shared_reference(),
        )
    objects["tracking_code"] = filed.tracking_code
    objects["pin"] = filed.pin
    return objects


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    client.cookies.set("wg_lang", "zh-CN")
    if username == "anonymous":
        return
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, f"{username} could not sign in"


def _walk(client: TestClient, starts: list[str]) -> dict[str, str]:
    """Every HTML page reachable from `starts` by GET links: url -> visible text."""
    seen: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        parts = urlsplit(url)
        if url in seen or NOT_PAGES.search(parts.path) or "lang=" in parts.query:
            continue
        if parts.query:
            variants[parts.path] = variants.get(parts.path, 0) + 1
            if variants[parts.path] > VARIANTS_PER_PATH:
                continue
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.text)
        seen[url] = parser.text()
        for href in parser.links:
            target = urlsplit(urljoin(str(response.url), href))
            if target.netloc == "testserver" and target.scheme in ("http", "https"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


def _track(client: TestClient, objects: dict[str, object]) -> str:
    """The worker's case page, after the tracking form (code and PIN)."""
    page = client.get("/worker/track")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    status = client.post(
        "/worker/track",
        data={
            "tracking_code": objects["tracking_code"],
            "pin": objects["pin"],
            "csrf_token": token,
        },
    )
    assert status.status_code == 200, status.text[:500]
    parser = VisibleText()
    parser.feed(status.text)
    return parser.text()


def _import_refused(client: TestClient) -> str:
    """An employer's import with errors: the report page, as it ends."""
    page = client.get("/employer/imports")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    row = valid_files()["payroll"][0] | {"amount_due": "五千", "period": "2026-13", "paid_date": ""}
    body = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    sent = client.post(
        "/employer/imports",
        data={"csrf_token": token},
        files={"files": ("payroll.csv", body.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert sent.status_code in (200, 303), sent.text[:300]
    url = sent.headers.get("location", "/employer/imports")
    for _ in range(100):
        report = client.get(url)
        if "problem-file" in report.text:
            break
        time.sleep(0.1)
    assert "problem-file" in report.text, "the import's errors were never shown"
    parser = VisibleText()
    parser.feed(report.text)
    return parser.text()


def _around(visible: str, word: str) -> str:
    at = visible.find(word.removeprefix("place code "))
    return visible[max(0, at - 40) : at + 40]


def test_chinese_pages_show_no_english_words_or_codes(app_client, world):
    objects = _seed(world, app_client.app.state.settings.upload_dir)
    problems: list[str] = []
    walked = 0
    for role, starts in STARTS.items():
        _sign_in(app_client, role)
        pages = _walk(app_client, [start.format(**objects) for start in starts])
        if role == "anonymous":
            pages["/worker/track (case)"] = _track(app_client, objects)
        if role == "employer.a":
            pages["/employer/imports (refused)"] = _import_refused(app_client)
            # the column by its Chinese heading, beside its key
            assert "工资月份" in pages["/employer/imports (refused)"]
        if role == "inspector.a":
            # who acted and to whom the alert went: people by name, not accounts or numbers
            audit = pages[f"/inspector/employers/{objects['employer_id']}/audit"]
            assert "鹿城区监察员甲" in audit and "鹿城区监察员丙" in audit
            assert "没有这条预警" in pages["/inspector/alerts/999999"]
        walked += len(pages)
        for url, visible in pages.items():
            words = sorted(set(english_words(visible, url)))
            if words:
                problems.append(f"{role} {url}: {words} in “{_around(visible, words[0])}”")
    assert walked > 40, f"only {walked} pages walked"
    assert not problems, "English or codes on Chinese pages:\n" + "\n".join(problems)


def test_the_check_itself_tells_words_from_codes():
    allowed = "USCC 91330302MA2AAAAA1X ¥12,600.00 2026-11-30 RFPMJRUBV WageGuard 下载 PDF a@b.cn"
    assert english_words(allowed) == []
    assert english_words("没有 no alert 999999") == ["no", "alert"]
    assert english_words("结案 (failure)") == ["failure"]
    assert english_words("列 amount_due 缺失") == ["amount_due"]
    assert english_words("inspector:inspector.lucheng") == ["inspector:inspector.lucheng"]
    assert english_words("所在区县 330302") == ["place code 330302"]
