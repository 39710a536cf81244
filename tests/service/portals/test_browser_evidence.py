"""A worker uploads a phone photo from the case status page on a 360 px phone; the stored
file has lost its location, read back from the disk."""

import pytest
from PIL import Image

from service.evidence import storage
from tests.factories import complaint_in_world
from tests.service.portals.browser import PHONE, screenshot
from tests.service.portals.test_browser_flows import committed, db_name, row, submit
from tests.service.portals.test_worker_evidence import GPS_IFD, photo_with_gps

pytestmark = pytest.mark.browser


def test_a_worker_uploads_a_photo_on_a_phone_and_its_gps_tag_is_gone(
    browser, live_server, world, db_url, tmp_path
):
    db = db_name(db_url)
    filed = complaint_in_world(world)
    photo = tmp_path / "工资条.jpg"
    photo.write_bytes(photo_with_gps())
    with Image.open(photo) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the photo really says where it was taken

    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server}/worker/track?lang=zh-CN")
    page.fill("#tracking_code", filed.tracking_code)
    page.fill("#pin", filed.pin)
    submit(page, "form[action='/worker/track'] button[type=submit]")
    page.set_input_files("#evidence_file", str(photo))
    screenshot(page, f"evidence-upload-phone-{db}")
    submit(page, "form[action='/worker/track/evidence'] button[type=submit]")

    assert "已上传：工资条.jpg" in page.content()
    assert page.is_visible("#evidence-cleaned")
    assert "已上传 1 个文件" in page.inner_text("#evidence-count")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"evidence-uploaded-phone-{db}")

    sql = "SELECT COUNT(*) FROM complaint_evidence WHERE complaint_id = :c"
    committed(world, sql, (1,), c=filed.complaint_id)
    (stored_name,) = row(
        world, "SELECT stored_name FROM complaint_evidence WHERE complaint_id = :c",
        c=filed.complaint_id,
    )  # fmt: skip
    with Image.open(storage.path_of(tmp_path / "uploads", stored_name)) as stored:
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert not stored.getexif()
