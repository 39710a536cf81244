"""The poster's QR code and the address it opens: the complaint form, employer and project chosen.

The code is a plain QR code (ISO/IEC 18004) made by segno, a pure-Python encoder: SVG for
print (a viewBox only, so it scales to an A4 or A3 poster without blurring) and PNG for
screens. Error correction is level Q (25 % of the code may be lost): a poster on a building
site gets dirty, torn or photographed at an angle. The quiet zone is the four modules the
standard asks for.

The address uses only the query parameters the complaint form reads today
(service/portals/worker_complaints.py, `complaint_form`): the county of work, and the
employer's USCC and the project code as the page's searches. The form already finds an
employer by its exact USCC and a project by its code within the county, so a scanned code
shows the right employer and project, and chooses them (`_preselected` there: an exact
USCC is looked up in every county). Natural keys, not record ids: a printed poster must
survive a re-import of the register.
"""

import io
import re
from urllib.parse import urlencode, urlsplit

import segno

from monitors.identifiers import is_valid_uscc

COMPLAINT_FORM_PATH = "/worker/complaint"  # the GET route `complaint_form`; a test checks it
ERROR_CORRECTION = "q"
QUIET_ZONE_MODULES = 4  # ISO/IEC 18004 §6.3.8
PNG_PIXELS_PER_MODULE = 10
COUNTY_CODE = re.compile(r"\d{6}")
PROJECT_CODE_MAX_CHARS = 64  # projects.project_code


def complaint_form_url(
    base_url: str,
    employer_uscc: str,
    project_code: str | None = None,
    *,
    county_code: str | None = None,
) -> str:
    """The complaint form's address with the employer (and project) already searched for.

    `base_url` is the site's public address (https://host or https://host/prefix).
    `county_code` is the county of work: the form routes the complaint by it and finds a
    project only within it, so a site's poster should always pass the project's county."""
    scheme, host, path = _checked_base(base_url)
    if not is_valid_uscc(employer_uscc):
        raise ValueError(f"not a valid USCC: {employer_uscc!r}")
    query = {"employer_q": employer_uscc}
    if county_code is not None:
        if not COUNTY_CODE.fullmatch(county_code):
            raise ValueError(f"not a 6-digit county code: {county_code!r}")
        query = {"county_code": county_code, **query}
    if project_code is not None:
        if not project_code.strip() or len(project_code) > PROJECT_CODE_MAX_CHARS:
            raise ValueError(f"not a project code: {project_code!r}")
        query["project_q"] = project_code
    return f"{scheme}://{host}{path}{COMPLAINT_FORM_PATH}?{urlencode(query)}"


def _checked_base(base_url: str) -> tuple[str, str, str]:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the site's address must be absolute http(s): {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"the site's address has no query or fragment: {base_url!r}")
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


def qr_code(text: str) -> segno.QRCode:
    """A QR code (never a Micro QR: phones' scanners often do not read those)."""
    return segno.make_qr(text, error=ERROR_CORRECTION)


def qr_svg(text: str) -> bytes:
    """The QR code as an SVG element sized by its viewBox (one unit per module), no XML
    declaration, so it can be placed in a poster's HTML or PDF at any size."""
    buffer = io.BytesIO()
    qr_code(text).save(
        buffer, kind="svg", border=QUIET_ZONE_MODULES, xmldecl=False, omitsize=True, nl=False
    )
    return buffer.getvalue()


def qr_png(text: str, *, pixels_per_module: int = PNG_PIXELS_PER_MODULE) -> bytes:
    """The QR code as a black-and-white PNG."""
    buffer = io.BytesIO()
    qr_code(text).save(buffer, kind="png", scale=pixels_per_module, border=QUIET_ZONE_MODULES)
    return buffer.getvalue()
