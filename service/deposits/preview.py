"""A proof's inline preview for the reviewing inspector: a PNG the server draws itself, the
first page of a PDF (PDFium, through pypdfium2) or the image re-encoded from its pixels.

Why a PNG and not the stored file in an <object>, <embed> or <iframe>: the app's
Content-Security-Policy has `object-src 'none'` and `frame-ancestors 'none'` (X-Frame-Options
DENY), so the browser would refuse all three; a PDF opened in the site's origin could run its
own scripts in the browser's viewer, and phone browsers do not show inline PDFs at all. An
<img> of a PNG we drew is allowed by `default-src 'self'`, shows everywhere, and carries
nothing from the uploaded file but its pixels.
"""

import io
from pathlib import Path

import pypdfium2
from PIL import Image, ImageOps

# Wide enough to read a bank receipt's figures, small enough for a phone.
PREVIEW_WIDTH = 1000
# A page or image larger than this many pixels is not drawn (a decompression bomb, or a
# page size no receipt has).
MAX_SOURCE_PIXELS = 40_000_000
MAX_SCALE = 3.0


class NoPreview(Exception):
    """The file cannot be drawn (damaged, encrypted, too large)."""


def preview_png(path: Path, content_type: str) -> bytes:
    """The PNG preview of a stored proof file (raises NoPreview)."""
    image = _first_pdf_page(path) if content_type == "application/pdf" else _image(path)
    if image.width > PREVIEW_WIDTH:
        height = max(1, round(image.height * PREVIEW_WIDTH / image.width))
        image = image.resize((PREVIEW_WIDTH, height))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _first_pdf_page(path: Path) -> Image.Image:
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        raise NoPreview(str(error)) from error
    try:
        if len(document) == 0:
            raise NoPreview("no pages")
        page = document[0]
        width, height = page.get_size()  # in points
        if width <= 0 or height <= 0:
            raise NoPreview("empty page")
        scale = min(PREVIEW_WIDTH / width, MAX_SCALE)
        if width * height * scale * scale > MAX_SOURCE_PIXELS:
            raise NoPreview("page too large")
        bitmap = page.render(scale=scale)
        image: Image.Image = bitmap.to_pil()
        return image
    finally:
        document.close()


def _image(path: Path) -> Image.Image:
    try:
        with Image.open(path) as opened:
            if opened.width * opened.height > MAX_SOURCE_PIXELS:
                raise NoPreview("image too large")
            opened.load()
            # a phone's photo stands the way it was taken
            return ImageOps.exif_transpose(opened)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise NoPreview(str(error)) from error
