"""The poster as a download: one response for the inspector's and the employer's route."""

import re

from fastapi.responses import Response
from sqlmodel import Session

from monitors.reference import Reference
from service import clock
from service.auth.actors import Actor
from service.config import Settings
from service.posters.service import PaperSize, PosterSubject, poster_pdf


def poster_download(
    *,
    session: Session,
    actor: Actor,
    subject: PosterSubject,
    reference: Reference,
    settings: Settings,
    size: PaperSize,
) -> Response:
    """The subject's poster as a PDF attachment, as of today in Wenzhou; audited."""
    pdf = poster_pdf(
        session=session,
        actor=actor,
        subject=subject,
        reference=reference,
        base_url=settings.mail_base_url,
        today=clock.today(settings.time_zone),
        size=size,
    )
    return pdf_response(pdf, subject, size)


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
