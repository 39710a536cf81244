"""Evidence files from a worker, cleaned so that only what they show is kept.

A photo of a pay slip taken on a phone carries where it was taken (EXIF GPS), the phone's make
and model, the editing software (XMP) and sometimes the owner's name: enough to tell an
employer who complained. A PDF carries its author and the program that made it. So evidence is
checked like a deposit proof (service.deposits.proofs: the type from the first bytes, at most
10 MB) and then rebuilt:

- images (JPEG, PNG, WebP) are decoded and encoded again from their pixels alone. The EXIF
  orientation is applied first, so a photo stays upright once the tag is gone; a colour profile
  is applied (converted to sRGB) and then dropped. Only the first frame of an animation is kept.
- PDFs lose their document information dictionary and every XMP stream, and the JPEG photos
  inside them (a "photos to PDF" app keeps the camera's EXIF) lose their metadata segments
  without being decoded, so the pictures are unchanged. A PDF that runs JavaScript, launches
  programs or carries embedded files is refused: it cannot be made harmless by removing
  metadata, and a handler's reader would run or open it.

Only the cleaned file is returned, so only the cleaned file can be stored.
"""

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from service.deposits.proofs import CheckedFile, FileRefused, check_file, read_capped

# Why an upload can be refused: FileRefused.code, and the catalogue key evidence.error.<code>.
REFUSALS = (
    "empty", "too_large", "file_type",  # service.deposits.proofs, as for deposit proofs
    "too_many_pixels", "image_unreadable",
    "pdf_unreadable", "pdf_encrypted", "pdf_javascript", "pdf_embedded_file",
)  # fmt: skip
# A 48-megapixel phone photo is 8000 × 6000; a 10 MB PNG of flat colour can declare far more
# pixels than memory holds (a decompression bomb), so the header's size is checked first.
MAX_EVIDENCE_PIXELS = 50_000_000
JPEG_QUALITY = 90
WEBP_QUALITY = 90
GPS_IFD = 0x8825

# WebP (RFC 9649 §2.5): "RIFF", four bytes of length, "WEBP". Deposit proofs do not take WebP;
# phones' screenshots and chat apps often produce it.
WEBP = ("image/webp", ".webp")
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

# pypdf's own errors, and what a malformed file makes it raise on the way (an odd object type,
# a missing key); DependencyError: a cipher pypdf[crypto] does not provide.
PDF_ERRORS = (PyPdfError, DependencyError, OSError, ValueError, KeyError, TypeError)
# Keys that give a PDF active content (ISO 32000-1 §12.6 actions, §7.11.4 embedded files,
# §12.7.8 XFA forms, which carry their own scripts).
PDF_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
PDF_SCRIPT_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
PDF_FILE_KEYS = {"/EmbeddedFiles", "/EF"}
PDF_FILE_SUBTYPES = {"/FileAttachment", "/RichMedia"}
# Removed from every dictionary: XMP packets (document, page, image) and application data.
PDF_PRIVATE_KEYS = ("/Metadata", "/PieceInfo")

# JPEG markers (ITU-T T.81 Annex B): APP1 (EXIF, XMP) to APP13 (Photoshop, IPTC) and COM
# carry metadata; APP0 (JFIF) and APP14 (Adobe's colour transform) are needed to decode.
JPEG_SOI, JPEG_SOS = b"\xff\xd8", 0xDA
JPEG_METADATA_MARKERS = frozenset({*range(0xE1, 0xEE), 0xFE})
JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})

# Image.info entries that describe the file rather than its pixels.
IMAGE_METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop")


@dataclass(frozen=True)
class CleanedEvidence:
    """The cleaned file, and which kinds of metadata the original carried (for the record and
    to tell the worker, e.g. that a location was removed)."""

    file: CheckedFile
    removed: frozenset[str]


def check_evidence(stream: BinaryIO) -> CheckedFile:
    """Read and check an upload as a deposit proof is checked (not empty, at most 10 MB, PDF,
    JPEG or PNG by content), and also take WebP."""
    data = read_capped(stream)
    try:
        return check_file(io.BytesIO(data))
    except FileRefused as refused:
        if refused.code == "file_type" and _is_webp(data):
            return CheckedFile(data, *WEBP, _sha256(data))
        raise


def clean_evidence(stream: BinaryIO) -> CleanedEvidence:
    """Check an upload and rebuild it without metadata; raises FileRefused with the reason."""
    checked = check_evidence(stream)
    if checked.content_type == "application/pdf":
        data, removed = clean_pdf(checked.data)
    else:
        data, removed = clean_image(checked.data, checked.content_type)
    file = CheckedFile(data, checked.content_type, checked.extension, _sha256(data))
    return CleanedEvidence(file, removed)


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- images -------------------------------------------------------------------------------------


def clean_image(data: bytes, content_type: str) -> tuple[bytes, frozenset[str]]:
    """The image encoded again from its pixels, upright and in sRGB, in the same format."""
    image_format = PILLOW_FORMATS[content_type]
    image = _open_image(data, image_format)
    removed = _image_metadata(image)
    pixels = _normalised_mode(_in_srgb(ImageOps.exif_transpose(image)), image_format)
    pixels.info.clear()  # Pillow writes some entries of .info (a JPEG comment, a PNG profile)
    cleaned = _encode(pixels, image_format)
    _check_no_metadata(cleaned)
    return cleaned, removed


def _open_image(data: bytes, image_format: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=[image_format])
        width, height = image.size
        if width * height > MAX_EVIDENCE_PIXELS:
            raise FileRefused("too_many_pixels")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise FileRefused("image_unreadable") from error
    except Image.DecompressionBombError as error:
        raise FileRefused("too_many_pixels") from error
    return image


def _image_metadata(image: Image.Image) -> frozenset[str]:
    found = {key for key in IMAGE_METADATA_KEYS if image.info.get(key)}
    if getattr(image, "text", None):  # PNG tEXt / iTXt / zTXt chunks
        found.add("text")
    exif = image.getexif()
    if exif.get_ifd(GPS_IFD):
        found.add("gps")
    if exif:
        found.add("exif")
    return frozenset(found)


def _in_srgb(image: Image.Image) -> Image.Image:
    """Convert by the embedded colour profile (a phone's Display P3, a CMYK scan) so colours
    stay right once the profile is dropped; a profile that cannot be read is just dropped."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _normalised_mode(image: Image.Image, image_format: str) -> Image.Image:
    """A mode the format writes, keeping transparency without .info (PNG's tRNS lives there)."""
    if image_format == "JPEG":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    keeps = ("1", "L", "P", "LA", "RGB", "RGBA") if image_format == "PNG" else ("RGB", "RGBA")
    if image.mode in keeps and "transparency" not in image.info:
        return image
    return image.convert("RGBA" if transparent else "RGB")


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _check_no_metadata(cleaned: bytes) -> None:
    """The encoder wrote pixels only: a leak here is a bug, never a file to keep."""
    with Image.open(io.BytesIO(cleaned)) as image:
        left = _image_metadata(image)
    if left:
        raise RuntimeError(f"metadata survived cleaning: {sorted(left)}")


# --- PDF ----------------------------------------------------------------------------------------


def clean_pdf(data: bytes) -> tuple[bytes, frozenset[str]]:
    """The PDF written again without document information and XMP; refused when it carries
    scripts or files."""
    reader = _open_pdf(data)
    refusal = _active_content(reader.trailer)
    if refusal:
        raise FileRefused(refusal)
    removed = {"document_info"} if reader.metadata else set()
    # Removed in the reader, before cloning: the writer copies only what is still reachable.
    removed |= _remove_private_keys(reader.trailer["/Root"])
    removed |= _clean_embedded_jpegs(reader.trailer["/Root"])
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None  # no /Info at all: pypdf would otherwise add its own /Producer
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), frozenset(removed)


def _remove_private_keys(root: DictionaryObject) -> set[str]:
    removed = set()
    for dictionary in _dictionaries(root):
        for key in PDF_PRIVATE_KEYS:
            if key in dictionary:
                del dictionary[NameObject(key)]
                removed.add("xmp" if key == "/Metadata" else "application_data")
    return removed


def _clean_embedded_jpegs(root: DictionaryObject) -> set[str]:
    removed = set()
    for dictionary in _dictionaries(root):
        if dictionary.get("/Subtype") != "/Image" or not isinstance(dictionary, StreamObject):
            continue
        filters = dictionary.get("/Filter")
        filters = list(filters) if isinstance(filters, ArrayObject) else [filters]
        if "/DCTDecode" not in filters:
            continue
        if filters != ["/DCTDecode"]:  # a JPEG inside another filter: cannot be cleaned here
            raise FileRefused("pdf_unreadable")
        original = dictionary.get_data()  # DCTDecode data comes back as the JPEG file itself
        stripped = strip_jpeg_metadata(original)
        if stripped != original:
            # The base class stores the bytes as they are: DCT is not re-encoded (pypdf's
            # EncodedStreamObject.set_data accepts only Flate).
            StreamObject.set_data(dictionary, stripped)
            dictionary.decoded_self = None
            removed.add("image_metadata")
    return removed


def strip_jpeg_metadata(jpeg: bytes) -> bytes:
    """The JPEG without its APP1–APP13 and COM segments, the picture's bytes untouched;
    FileRefused when its segments cannot be followed up to the picture data."""
    if not jpeg.startswith(JPEG_SOI):
        raise FileRefused("pdf_unreadable")
    kept, at = [JPEG_SOI], len(JPEG_SOI)
    while at + 4 <= len(jpeg) and jpeg[at] == 0xFF:
        marker = jpeg[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
        elif marker == JPEG_SOS:  # the entropy-coded picture follows: kept as it is
            return b"".join([*kept, jpeg[at:]])
        elif marker in JPEG_STANDALONE_MARKERS:
            kept.append(jpeg[at : at + 2])
            at += 2
        else:
            end = at + 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
            if marker not in JPEG_METADATA_MARKERS:
                kept.append(jpeg[at:end])
            at = end
    raise FileRefused("pdf_unreadable")


def _open_pdf(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # An owner password only (printing, copying limits): the empty user password opens
        # it. Anything else cannot be inspected, so it cannot be cleaned.
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRefused("pdf_encrypted")
        _ = len(reader.pages)
    except FileRefused:
        raise
    except PDF_ERRORS as error:
        raise FileRefused("pdf_unreadable") from error
    return reader


def _active_content(trailer: DictionaryObject) -> str | None:
    """'pdf_javascript' or 'pdf_embedded_file' when any reachable object has them."""
    try:
        for dictionary in _dictionaries(trailer):
            keys = set(dictionary.keys())
            if keys & PDF_SCRIPT_KEYS or dictionary.get("/S") in PDF_SCRIPT_ACTIONS:
                return "pdf_javascript"
            if keys & PDF_FILE_KEYS or dictionary.get("/Subtype") in PDF_FILE_SUBTYPES:
                return "pdf_embedded_file"
    except PDF_ERRORS as error:
        raise FileRefused("pdf_unreadable") from error
    return None


def _dictionaries(start: DictionaryObject) -> Iterator[DictionaryObject]:
    """Every dictionary (and stream dictionary) reachable from `start`, each once; a loop of
    stack and seen-set, so a deep or cyclic file neither recurses nor repeats."""
    stack: list[object] = [start]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            item = item.get_object()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
