"""Security headers on every response, and API documentation that needs no other site."""

import re

from service.config import PROJECT_ROOT
from tests.service.portals.test_permissions import DECISIONS, FRAMEWORK, _caller, route_table

WANTED = {
    "content-security-policy": (
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _missing(response) -> list[str]:
    problems = [
        f"{name}: {response.headers.get(name)!r}"
        for name, value in WANTED.items()
        if not (response.headers.get(name) or "").startswith(value)
    ]
    policy = response.headers.get("permissions-policy", "")
    if not all(f"{feature}=()" in policy for feature in ("camera", "microphone", "geolocation")):
        problems.append(f"permissions-policy: {policy!r}")
    return problems


def test_every_route_answers_with_the_security_headers(app_client, world):
    """Each route of the route table, as an anonymous caller and as an inspector: pages,
    API answers, redirects, refusals and validation errors alike."""
    routes = route_table(app_client.app)
    assert routes - FRAMEWORK <= {(m, p.replace("decided_", "")) for m, p in DECISIONS}
    inspector = _caller(app_client, "inspector.a")
    wrong = []
    for method, template in sorted(routes):
        path = re.sub(r"\{\w+\}", "1", template)
        for headers in ({}, inspector):
            response = app_client.request(method, path, headers=headers, follow_redirects=False)
            app_client.cookies.clear()
            if missing := _missing(response):
                wrong.append(f"{method} {path} ({response.status_code}): {missing}")
    assert not wrong, "\n".join(wrong)


def test_not_found_errors_and_static_files_carry_the_headers_too(app_client, world):
    for path in (
        "/no/such/page",
        "/api/no/such/thing",
        f"/api/alerts/{2**63}",
        "/static/css/base.css",
        "/static/no-such-file.css",
        "/static/swagger-ui/swagger-ui-bundle.js",
    ):
        response = app_client.get(path)
        assert not _missing(response), (path, response.status_code, _missing(response))


def test_pages_have_no_inline_script_or_style_for_the_policy_to_block():
    """The policy allows no inline code: every page template links /static files instead.
    (E-mails keep inline styles: mail readers need them and no policy applies.)"""
    pages = [
        path
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        if "email" not in path.relative_to(PROJECT_ROOT / "templates").parts
    ]
    assert len(pages) > 30
    inline = re.compile(r"<style|style=|<script(?![^>]*\bsrc=)|\son[a-z]+=", re.IGNORECASE)
    offenders = [str(p) for p in pages if inline.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_every_stylesheet_a_page_links_is_served(app_client, world):
    linked = set()
    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        linked |= set(re.findall(r'href="(/static/[^"]+)"', path.read_text(encoding="utf-8")))
    assert "/static/css/base.css" in linked and len(linked) >= 6
    for href in sorted(linked):
        response = app_client.get(href)
        assert response.status_code == 200, href
        assert response.headers["content-type"].startswith("text/css"), href


def test_the_api_docs_load_nothing_from_another_site(app_client, world):
    page = app_client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), page.text
    assert "cdn" not in page.text.lower()
    assert "<script>" not in page.text  # the start-up code is a served file
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        response = app_client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100, asset
    # The policy stays the app's own origin; only Swagger UI's data: icons are allowed.
    assert page.headers["content-security-policy"].startswith(WANTED["content-security-policy"])
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert app_client.get("/openapi.json").json()["paths"]


def test_redoc_and_its_cdn_script_are_gone(app_client, world):
    assert app_client.get("/redoc").status_code == 404
