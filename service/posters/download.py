"""The poster as a download: one response shape for the inspector's and the employer's route."""

import re

from fastapi.responses import Response

from service.posters.service import PaperSize, PosterSubject


def pdf_response(pdf: bytes, subject: PosterSubject, size: PaperSize) -> Response:
    """An attachment named after the employer's USCC (and the site's code): ASCII only."""
    parts = [subject.employer.uscc, *([subject.project.project_code] if subject.project else [])]
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"poster-{'-'.join(parts)}-{size}") + ".pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
