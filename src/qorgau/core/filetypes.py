"""What an uploaded file really is, checked against the type its name declares.

The first bytes are not enough: ``%PDF-`` followed by HTML is a PDF to a magic-number check and
a web page to a browser, and any ZIP renamed ``.docx`` starts with ``PK``. So a file passes only
when libmagic (through python-magic) names the type its extension declares, its structure is
that type's (a PDF's trailer; an image that Pillow can parse; an Office document's package
declaring the main part of that very kind in ``[Content_Types].xml``, without macros), and no
HTML or script markup sits where a browser sniffing the content would find it.
"""

import re
import zipfile

try:
    import magic
except ImportError as missing:  # python-magic is installed; the C library libmagic may not be
    magic = None  # type: ignore[assignment]  # checked before each use
    MISSING = str(missing)

OOXML = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# The declared type of each accepted extension: what the file is served as.
TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    **OOXML,
}
# What libmagic may answer for each: an Office package it cannot look far enough into is a zip
# (the content types then decide).
_MAGIC = {ext: {mime} for ext, mime in TYPES.items()} | {
    ext: {mime, "application/zip"} for ext, mime in OOXML.items()
}
_PILLOW = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
# Markup a browser would run if it ever rendered the file: refused in the part it sniffs.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg|meta|a)[\s/>]",
    re.IGNORECASE,
)
SNIFF_BYTES = 4096
_CONTENT_TYPES_MAX = 2**20  # [Content_Types].xml is a few kilobytes


class FileTypeMismatch(Exception):
    """The file is not what its name says. ``macros`` when it is an Office file with macros."""

    def __init__(self, macros: bool = False):
        super().__init__("macros" if macros else "mismatch")
        self.macros = macros


def extension(name: str) -> str:
    """The name's extension, lower case with its dot ("" when it has none)."""
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def check_type(file, ext: str) -> None:
    """Raise :class:`FileTypeMismatch` unless ``file`` (a seekable binary file, read from its
    start and left there) is a well-formed file of the type of ``ext`` (a key of ``TYPES``)."""
    if magic is None:  # said at start-up by the check below; refuse rather than guess
        raise FileTypeMismatch
    file.seek(0)
    data = file.read()
    file.seek(0)
    if magic.from_buffer(data, mime=True) not in _MAGIC[ext]:
        raise FileTypeMismatch
    if _MARKUP.search(data[:SNIFF_BYTES]):
        raise FileTypeMismatch
    if ext == ".pdf":
        _check_pdf(data)
    elif ext in _PILLOW:
        _check_image(file, _PILLOW[ext])
    else:
        _check_ooxml(file, ext)
    file.seek(0)


def _check_pdf(data: bytes) -> None:
    # A PDF starts with its version and ends with the cross-reference pointer and %%EOF.
    tail = data[-1024:]
    if not re.match(rb"%PDF-[12]\.\d", data) or b"%%EOF" not in tail or b"startxref" not in tail:
        raise FileTypeMismatch


def _check_image(file, expected: str) -> None:
    from PIL import Image

    try:
        with Image.open(file) as image:  # reads the header; refuses decompression bombs
            kind = image.format
            image.verify()  # walks the chunks / segments without decoding the pixels
    except Exception:  # Pillow raises many kinds for a damaged or hostile image
        raise FileTypeMismatch from None
    if kind != expected:
        raise FileTypeMismatch


def _check_ooxml(file, ext: str) -> None:
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                raise FileTypeMismatch
            content_types = package.read(info)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise FileTypeMismatch from None
    if b"<!DOCTYPE" in content_types or b"<!ENTITY" in content_types:
        raise FileTypeMismatch  # never in a real package; the start of an entity bomb
    try:
        root = ET.fromstring(content_types)  # noqa: S314 (no DTD: refused just above)
    except ET.ParseError:
        raise FileTypeMismatch from None
    declared = {
        el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
        for el in root
        if el.tag.endswith("}Override")
    }
    defaults = [el.get("ContentType", "") for el in root if el.tag.endswith("}Default")]
    everything = [*declared.values(), *defaults]
    if any("macroEnabled" in t or "vbaProject" in t for t in everything) or any(
        n.lower().endswith("vbaproject.bin") for n in names
    ):
        raise FileTypeMismatch(macros=True)
    main = OOXML[ext] + ".main+xml"
    if not any(t == main and part in names for part, t in declared.items()):
        raise FileTypeMismatch
