"""What a person sees of issue 13's items 1, 6, 7, 9 and 11, in Debian's chromium at 360 px
and 1366 px: an expired complaint form comes back filled in, the towns of the chosen county
as a list, the committee's phone after filing, the big complaint button on the landing page,
and the money forms taking "120,000.00". Screenshots in var/screenshots/forms-*.png."""

import pytest
from sqlalchemy import text

from service.committees.models import MediationCommittee
from service.csrf import CSRF_COOKIE, CSRF_FIELD
from service.db import session_scope
from tests.factories import complaint_in_world
from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD
from tests.service.portals.test_browser_flows import committed, db_name, submit

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
SIZES = {"360": PHONE, "1366": DESKTOP}


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def fill_complaint(page, world) -> None:
    page.fill("#employer_q", "鹿城鞋业")
    submit(page, "form[method=get] button[type=submit]")
    page.check(f"input[name=employer_id][value='{world.employer_a}']")
    page.select_option("#county_code", "330302")
    page.fill("#period_from", "2026-08")
    page.fill("#period_to", "2026-10")
    page.fill("#amount_owed", "１８，６００")
    page.fill("#description", "八月至十月的工资一直没有发。")
    page.fill("#phone", "13812345678")


def test_an_expired_complaint_form_comes_back_filled_in_and_is_sent_again(
    browser, live_server, world, db_url
):
    db = db_name(db_url)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/worker/complaint?lang=zh-CN")
    fill_complaint(page, world)
    page.select_option("#town", "五马街道")
    # The phone's browser restarts mid-form: its cookie is gone, the page is still there.
    drop_form_token(page)
    submit(page, "form[method=post] button[type=submit]")

    assert page.inner_text("#form-expired").startswith("页面已过期，请再提交一次")
    assert page.input_value("#amount_owed") == "１８，６００"
    assert page.input_value("#description") == "八月至十月的工资一直没有发。"
    assert page.input_value("#phone") == "13812345678"
    assert page.input_value("#town") == "五马街道"
    assert page.is_checked(f"input[name=employer_id][value='{world.employer_a}']")
    fits(page, PHONE["width"])
    screenshot(page, f"forms-complaint-expired-zh-360-{db}")

    submit(page, "form[method=post] button[type=submit]")
    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    committed(
        world,
        "SELECT amount_owed_fen FROM complaint WHERE tracking_code = :c",
        (1_860_000,),
        c=code,
    )
    # Item 9: the receipt says how to reach the committee.
    assert "12348" in page.inner_text("#committee-contact")
    fits(page, PHONE["width"])
    screenshot(page, f"forms-complaint-filed-zh-360-{db}")
    context.close()


@pytest.mark.parametrize("size", ["360", "1366"])
def test_the_towns_of_the_chosen_county_are_offered_as_a_list(
    browser, live_server, world, db_url, size
):
    with session_scope(world.engine) as session:
        session.add(
            MediationCommittee(
                code="MC-LC-QD",
                name="七都街道人民调解委员会",
                kind="people",
                county_code="330302",
                town="七都街道",
            )
        )
    page = browser.new_page(viewport=SIZES[size])
    page.goto(f"{live_server}/worker/complaint?lang=zh-CN")
    fill_complaint(page, world)
    visible = page.eval_on_selector_all(
        "#town optgroup:not([hidden]) option", "options => options.map(o => o.value)"
    )
    assert "七都街道" in visible and "五马街道" in visible
    assert all(town not in visible for town in ("娄桥街道", "瞿溪街道"))  # Ouhai's
    page.select_option("#town", "七都街道")
    page.locator("#town").scroll_into_view_if_needed()
    fits(page, SIZES[size]["width"])
    screenshot(page, f"forms-complaint-towns-zh-{size}-{db_name(db_url)}")
    submit(page, "form[method=post] button[type=submit]")
    page.wait_for_selector("#tracking-code")
    assert "七都街道人民调解委员会" in page.content()
    page.close()


def test_a_town_typed_as_qidu_reaches_the_towns_committee_in_english(
    browser, live_server, world, db_url
):
    with session_scope(world.engine) as session:
        session.add(
            MediationCommittee(
                code="MC-LC-QD",
                name="七都街道人民调解委员会",
                kind="people",
                county_code="330302",
                town="七都街道",
            )
        )
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server}/worker/complaint?lang=en")
    fill_complaint(page, world)
    page.fill("#town_other", "七都")
    submit(page, "form[method=post] button[type=submit]")
    page.wait_for_selector("#tracking-code")
    assert "七都街道人民调解委员会" in page.content()
    assert "12348" in page.inner_text("#committee-contact")
    screenshot(page, f"forms-complaint-filed-en-360-{db_name(db_url)}")
    page.close()


@pytest.mark.parametrize("size", ["360", "1366"])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_landing_page_has_a_big_complaint_button_beside_the_staff_sign_in(
    browser, live_server, db_url, size, lang
):
    page = browser.new_page(viewport=SIZES[size])
    page.goto(f"{live_server}/?lang={lang}")
    button = page.locator("#file-complaint").bounding_box()
    staff = page.locator("#staff-sign-in").bounding_box()
    assert button and staff
    assert button["height"] >= 60 and button["width"] >= 280  # big and above the fold
    assert button["y"] < 400
    label = page.inner_text("#file-complaint")
    assert ("我要投诉" if lang == "zh-CN" else "File a wage complaint") in label
    fits(page, SIZES[size]["width"])
    screenshot(page, f"forms-landing-{lang}-{size}-{db_name(db_url)}")
    page.click("#file-complaint")
    page.wait_for_url("**/worker/complaint")
    page.close()


@pytest.mark.parametrize("size", ["360", "1366"])
def test_the_proof_form_takes_an_amount_with_separators(browser, live_server, world, db_url, size):
    page = browser.new_page(viewport=SIZES[size])
    sign_in_page(page, live_server, "employer.a", PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/employer/proofs/new?lang=zh-CN")
    page.fill("#amount", "12,60")
    page.fill("#event_date", "2026-11-20")
    page.fill("#reference", "回单-2026-118")
    page.set_input_files(
        "#file", files=[{"name": "r.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    submit(page, "form[action='/employer/proofs/new'] button[type=submit]")
    assert "例如 200000、200,000.00 或 ¥200,000" in page.content()
    fits(page, SIZES[size]["width"])
    screenshot(page, f"forms-proof-amount-error-zh-{size}-{db_name(db_url)}")
    page.fill("#amount", "120,000.00")
    page.set_input_files(
        "#file", files=[{"name": "r.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    submit(page, "form[action='/employer/proofs/new'] button[type=submit]")
    committed(
        world,
        "SELECT amount_fen FROM deposit_proof WHERE reference = :r",
        (12_000_000,),
        r="回单-2026-118",
    )
    page.close()


@pytest.mark.parametrize("size", ["360", "1366"])
def test_the_worker_and_the_employer_see_how_to_reach_the_committee(
    browser, live_server, world, db_url, size
):
    filed = complaint_in_world(world, disclose_identity=True)
    worker = browser.new_page(viewport=SIZES[size])
    worker.goto(f"{live_server}/worker/track?lang=zh-CN")
    worker.fill("#tracking_code", filed.tracking_code)
    worker.fill("#pin", filed.pin)
    submit(worker, "form[method=post] button[type=submit]")
    contact = worker.inner_text("#committee-contact")
    assert "12348" in contact and "请打电话询问办公地址" in contact
    assert "地址" in worker.inner_text("#legal-aid")
    fits(worker, SIZES[size]["width"])
    screenshot(worker, f"forms-track-contact-zh-{size}-{db_name(db_url)}")
    worker.close()

    employer = browser.new_page(viewport=SIZES[size])
    sign_in_page(employer, live_server, "employer.a", PASSWORD)
    employer.wait_for_url(lambda url: "/login" not in url)
    employer.goto(f"{live_server}/employer/complaints?lang=zh-CN")
    assert "12348" in employer.inner_text("#committee-contact-1")
    fits(employer, SIZES[size]["width"])
    screenshot(employer, f"forms-employer-complaints-contact-zh-{size}-{db_name(db_url)}")
    employer.close()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def drop_form_token(page) -> None:
    """What a browser restart (or an expired cookie) does to the form token only.

    Chromium may still send a cookie cleared just after the page that set it loaded, so the
    page's forms are also given a token the server never issued: either way the token the
    server receives is not the visitor's current one."""
    context = page.context
    kept = [c for c in context.cookies() if c["name"] != CSRF_COOKIE]
    context.clear_cookies()
    context.add_cookies(kept)
    page.eval_on_selector_all(
        f"input[name={CSRF_FIELD}]", "fields => fields.forEach(f => { f.value = 'expired'; })"
    )


@pytest.mark.parametrize("size", ["360", "1366"])
def test_an_inspectors_note_on_an_expired_page_is_kept_and_sent_again(
    browser, live_server, world, db_url, size
):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    sign_in_page(page, live_server, "inspector.a", PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    with world.engine.connect() as conn:
        alert_id = conn.execute(
            text("SELECT MIN(id) FROM alert WHERE employer_id = :a"), {"a": world.employer_a}
        ).scalar_one()
    page.goto(f"{live_server}/inspector/alerts/{alert_id}?lang=zh-CN")
    note = "已约谈企业负责人，责令限期整改。"
    page.fill("#note", note)
    drop_form_token(page)
    submit(page, f"form[action='/inspector/alerts/{alert_id}/resolve'] button")

    assert page.inner_text("#form-expired").startswith("页面已过期，请再提交一次")
    assert note in page.inner_text("main")
    fits(page, SIZES[size]["width"])
    screenshot(page, f"forms-expired-generic-zh-{size}-{db_name(db_url)}")
    submit(page, "#send-again")
    committed(world, "SELECT handling FROM alert WHERE id = :i", ("closed",), i=alert_id)
    context.close()


def test_an_expired_sign_in_keeps_the_username_in_english(browser, live_server, db_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#username", "inspector.a")
    page.fill("#password", PASSWORD)
    drop_form_token(page)
    submit(page, "form[action='/login'] button[type=submit]")
    assert "This page had expired; please submit it again" in page.inner_text("#form-expired")
    assert page.input_value("#username") == "inspector.a"
    assert page.input_value("#password") == ""
    screenshot(page, f"forms-login-expired-en-1366-{db_name(db_url)}")
    page.fill("#password", PASSWORD)
    submit(page, "form[action='/login'] button[type=submit]")
    assert "/inspector/alerts" in page.url
    context.close()
