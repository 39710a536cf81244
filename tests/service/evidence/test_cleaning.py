"""Evidence is cleaned: GPS, device, XMP, text chunks and PDF authorship are gone; pixels stay."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from service.deposits import proofs
from service.deposits.proofs import MAX_PROOF_BYTES, FileRefused
from service.evidence import cleaning
from service.evidence.cleaning import clean_evidence
from service.i18n import LANGUAGES, catalogue

RAISED = re.compile(r'FileRefused\("([a-z_]+)"\)')
RETURNED = re.compile(r'return "(pdf_[a-z_]+)"')
GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION, SOFTWARE = 0x010F, 0x0110, 0x0112, 0x0131
ROTATED_90_CW = 6  # EXIF orientation 6: the stored pixels must be turned 90° clockwise to view


def _photo_with_gps(orientation: int = 1) -> bytes:
    """A 40 × 20 photo, left half red and right half blue, as a phone would tag it."""
    image = Image.new("RGB", (40, 20), "red")
    image.paste(Image.new("RGB", (20, 20), "blue"), (20, 0))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[SOFTWARE] = "Apple", "iPhone 15", "17.1"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (27.0, 59.0, 30.5), 3: "E", 4: (120.0, 41.0, 58.2)}
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    image.save(buffer, "JPEG", exif=exif, comment=b"owner: Wang", xmp=xmp, quality=95)
    return buffer.getvalue()


def _cleaned_image(data: bytes) -> tuple[Image.Image, frozenset[str]]:
    cleaned = clean_evidence(io.BytesIO(data))
    image = Image.open(io.BytesIO(cleaned.file.data))
    image.load()
    return image, cleaned.removed


def _colour_at(image: Image.Image, x: int, y: int) -> str:
    red, _, blue = image.convert("RGB").getpixel((x, y))
    return "red" if red > blue else "blue"


def test_a_phone_photo_loses_its_gps_device_and_every_exif_tag() -> None:
    original = Image.open(io.BytesIO(_photo_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo really carries a location

    image, removed = _cleaned_image(_photo_with_gps())

    assert image.format == "JPEG"
    assert not image.getexif()
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    assert {"gps", "exif", "xmp", "comment"} <= removed


def test_a_photo_stays_upright_when_its_orientation_tag_is_dropped() -> None:
    image, _ = _cleaned_image(_photo_with_gps(orientation=ROTATED_90_CW))

    # Turned clockwise: the stored 40 × 20 becomes 20 × 40, the left (red) half on top.
    assert image.size == (20, 40)
    assert _colour_at(image, 10, 5) == "red"
    assert _colour_at(image, 10, 35) == "blue"
    assert not image.getexif()


def test_an_untagged_photo_keeps_its_pixels_in_place() -> None:
    image, _ = _cleaned_image(_photo_with_gps(orientation=1))

    assert image.size == (40, 20)
    assert (_colour_at(image, 5, 10), _colour_at(image, 35, 10)) == ("red", "blue")


def test_a_screenshot_png_loses_its_text_chunks_and_keeps_transparency() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Wang Wei")
    info.add_itxt("Comment", "拍摄于工地宿舍")
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 128, 0, 100)).save(buffer, "PNG", pnginfo=info)

    image, removed = _cleaned_image(buffer.getvalue())

    assert image.format == "PNG"
    assert image.text == {}
    assert "text" in removed
    assert image.mode == "RGBA" and image.getpixel((3, 3)) == (0, 128, 0, 100)


def test_a_colour_profile_is_applied_then_dropped() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG", icc_profile=srgb)

    image, removed = _cleaned_image(buffer.getvalue())

    assert "icc_profile" not in image.info
    assert "icc_profile" in removed
    red, green, blue = image.getpixel((0, 0))
    assert abs(red - 200) <= 2 and green < 40 and blue < 40


def test_a_webp_image_is_accepted_and_cleaned() -> None:
    exif = Image.Exif()
    exif[MAKE] = "Xiaomi"
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buffer, "WEBP", exif=exif)

    cleaned = clean_evidence(io.BytesIO(buffer.getvalue()))

    assert (cleaned.file.content_type, cleaned.file.extension) == ("image/webp", ".webp")
    assert not Image.open(io.BytesIO(cleaned.file.data)).getexif()


def _pdf(**extra_root: object) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "Wang Wei", "/Producer": "CamScanner", "/Title": "工资条"})
    for key, value in extra_root.items():
        writer.root_object[NameObject(f"/{key}")] = value
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_loses_its_author_producer_and_xmp() -> None:
    original = _pdf()
    assert PdfReader(io.BytesIO(original)).metadata["/Author"] == "Wang Wei"

    cleaned = clean_evidence(io.BytesIO(original))

    reader = PdfReader(io.BytesIO(cleaned.file.data))
    assert reader.metadata is None
    assert b"Wang Wei" not in cleaned.file.data and b"CamScanner" not in cleaned.file.data
    assert "/Metadata" not in reader.trailer["/Root"]
    assert len(reader.pages) == 1
    assert "document_info" in cleaned.removed


def test_a_pdf_with_an_xmp_stream_loses_it() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.xmp_metadata = b"<x:xmpmeta><dc:creator>Wang Wei</dc:creator></x:xmpmeta>"
    buffer = io.BytesIO()
    writer.write(buffer)

    cleaned = clean_evidence(io.BytesIO(buffer.getvalue()))

    assert b"Wang Wei" not in cleaned.file.data
    assert "xmp" in cleaned.removed


def _pdf_of_photo(jpeg: bytes, filters: object = None) -> bytes:
    """A one-page PDF showing a JPEG as it is, as "photos to PDF" apps make them."""
    writer = PdfWriter()
    page = writer.add_blank_page(40, 20)
    image = EncodedStreamObject()
    image._data = jpeg  # DCTDecode: the JPEG file is the stream's data
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(40),
            NameObject("/Height"): NumberObject(20),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): filters or NameObject("/DCTDecode"),
        }
    )
    xobjects = DictionaryObject({NameObject("/Im0"): writer._add_object(image)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data(b"q 40 0 0 20 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_photo_inside_a_pdf_loses_its_gps_and_keeps_its_picture() -> None:
    photo = _photo_with_gps()
    original = _pdf_of_photo(photo)
    assert b"iPhone 15" in original

    cleaned = clean_evidence(io.BytesIO(original))

    assert b"iPhone 15" not in cleaned.file.data and b"owner: Wang" not in cleaned.file.data
    assert "image_metadata" in cleaned.removed
    page = PdfReader(io.BytesIO(cleaned.file.data)).pages[0]
    shown = page["/Resources"]["/XObject"]["/Im0"].get_object().get_data()
    assert shown == cleaning.strip_jpeg_metadata(photo)


def test_jpeg_segments_are_removed_without_touching_the_picture() -> None:
    photo = _photo_with_gps()

    stripped = cleaning.strip_jpeg_metadata(photo)

    image = Image.open(io.BytesIO(stripped))
    assert not image.getexif() and "comment" not in image.info and "xmp" not in image.info
    assert image.tobytes() == Image.open(io.BytesIO(photo)).tobytes()
    scan = photo.index(b"\xff\xda")  # start of scan: the picture's bytes from here on
    assert stripped.endswith(photo[scan:])


def test_a_pdf_photo_inside_another_filter_is_refused() -> None:
    filters = ArrayObject([NameObject("/FlateDecode"), NameObject("/DCTDecode")])
    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(_pdf_of_photo(_photo_with_gps(), filters)))
    assert refused.value.code == "pdf_unreadable"


def test_a_pdf_that_runs_javascript_is_refused() -> None:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(_pdf(OpenAction=action)))
    assert refused.value.code == "pdf_javascript"


def test_a_pdf_with_an_embedded_file_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.add_attachment("payload.exe", b"MZ...")
    buffer = io.BytesIO()
    writer.write(buffer)

    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(buffer.getvalue()))
    assert refused.value.code == "pdf_embedded_file"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 a zip, renamed to photo.jpg", "file_type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type"),
        (b"\xff\xd8\xff\xe0 a JPEG header and nothing else", "image_unreadable"),
        (b"%PDF-1.7 and then garbage", "pdf_unreadable"),
    ],
)
def test_what_is_not_an_image_or_pdf_is_refused_with_its_reason(data: bytes, code: str) -> None:
    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(data))
    assert refused.value.code == code


def test_a_file_over_the_proof_limit_is_refused() -> None:
    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(b"\xff\xd8\xff" + b"\0" * MAX_PROOF_BYTES))
    assert refused.value.code == "too_large"


def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cleaning, "MAX_EVIDENCE_PIXELS", 99)
    buffer = io.BytesIO()
    Image.new("L", (10, 10)).save(buffer, "PNG")

    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(buffer.getvalue()))
    assert refused.value.code == "too_many_pixels"


def test_a_pdf_locked_with_a_password_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)

    with pytest.raises(FileRefused) as refused:
        clean_evidence(io.BytesIO(buffer.getvalue()))
    assert refused.value.code == "pdf_encrypted"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_with_only_an_owner_password_is_opened_and_cleaned(algorithm: str) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)

    cleaned = clean_evidence(io.BytesIO(buffer.getvalue()))

    reader = PdfReader(io.BytesIO(cleaned.file.data))
    assert not reader.is_encrypted and reader.metadata is None


def test_every_refusal_has_a_message_in_both_languages() -> None:
    sources = (Path(cleaning.__file__), Path(proofs.__file__))
    raised = {code for path in sources for code in RAISED.findall(path.read_text())}
    # the PDF checks return their code rather than raising it in place
    raised |= {code for code in RETURNED.findall(Path(cleaning.__file__).read_text())}

    assert raised <= set(cleaning.REFUSALS)
    for language in LANGUAGES:
        for code in cleaning.REFUSALS:
            assert catalogue(language).get(f"evidence.error.{code}"), (language, code)
