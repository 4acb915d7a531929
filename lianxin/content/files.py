"""Upload checks by content, never by the name or the browser's Content-Type.

* Images (covers, site photos): JPEG or PNG by magic bytes (``filetype``), a size cap, and a pixel cap checked
  by Pillow before anything decodes the bitmap (a 50 KB PNG can claim 60,000 × 60,000 pixels).
* PDF: the ``%PDF-`` signature and a size cap.
* EPUB: a zip whose ``mimetype`` entry says ``application/epub+zip``. The archive is read in memory and never
  extracted to disk; entry count, declared sizes, compression ratio and every read are bounded, so a zip bomb
  costs a few reads and a refusal. XML from the book (container, OPF) is refused if it declares entities
  (billion laughs), and chapter XHTML goes through the stdlib HTML parser, which expands no entities and
  keeps only text: no markup from a book ever reaches a page.

Used by lianxin.content.services and lianxin.venues.services.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

import filetype

from lianxin.core.errors import ServiceError

MB = 1024 * 1024
IMAGE_MAX_BYTES = 2 * MB
IMAGE_MAX_PIXELS = 40_000_000
BOOK_MAX_BYTES = 20 * MB

EPUB_MAX_ENTRIES = 2000
EPUB_MAX_TOTAL = 100 * MB  # sum of declared uncompressed sizes
EPUB_MAX_ENTRY = 4 * MB  # one chapter / metadata file, uncompressed
EPUB_MAX_RATIO = 100  # uncompressed / compressed, for entries bigger than 64 KB
EPUB_MAX_CHAPTERS = 500

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


def _head(upload, n: int = 262) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return size


def check_image(upload, *, field: str, max_bytes: int | None = None) -> str:
    """Return the file extension ("jpg"/"png") for a JPEG or PNG; refuse anything else with a message
    naming ``field``."""
    max_bytes = max_bytes or IMAGE_MAX_BYTES
    if size_of(upload) > max_bytes:
        raise ServiceError(f"图片不能超过 {max_bytes // MB} MB", field=field)
    kind = filetype.guess(_head(upload))
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise ServiceError("图片只能是 JPEG 或 PNG 格式（按文件内容检查）", field=field)
    from PIL import Image

    try:
        with Image.open(upload) as im:
            w, h = im.size
            if w * h > IMAGE_MAX_PIXELS:
                raise ServiceError("图片像素过大", field=field)
            im.verify()
    except ServiceError:
        raise
    except Exception:  # noqa: BLE001 - any decoder complaint means a broken or disguised file
        raise ServiceError("图片文件已损坏或不是有效的 JPEG/PNG", field=field) from None
    finally:
        upload.seek(0)
    return IMAGE_TYPES[kind.mime]


IMAGE_MAX_SIDE = 960
IMAGE_QUALITY = 75


def prepare_image(upload, *, field: str) -> tuple[str, bytes]:
    """Check the upload (:func:`check_image`), then re-encode it: EXIF orientation applied, at most
    IMAGE_MAX_SIDE pixels a side, progressive JPEG. Re-encoding drops metadata (a phone photo's GPS position
    is personal data), anything appended to the file (polyglots), and keeps a photo to tens of kilobytes so
    a member page stays light. Returns (extension, bytes)."""
    import io

    from PIL import Image, ImageOps

    check_image(upload, field=field)
    try:
        with Image.open(upload) as im:
            im = ImageOps.exif_transpose(im)
            if im.mode in ("RGBA", "LA", "P"):
                im = im.convert("RGBA")
                bg = Image.new("RGB", im.size, (255, 255, 255))
                bg.paste(im, mask=im.split()[-1])
                im = bg
            elif im.mode != "RGB":
                im = im.convert("RGB")
            im.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            out = io.BytesIO()
            im.save(out, "JPEG", quality=IMAGE_QUALITY, optimize=True, progressive=True)
    except ServiceError:
        raise
    except Exception:  # noqa: BLE001 - a decoder failure after the header check: still a broken file
        raise ServiceError("图片文件已损坏或不是有效的 JPEG/PNG", field=field) from None
    finally:
        upload.seek(0)
    return "jpg", out.getvalue()


CHAPTER_PAGE_CHARS = 12_000  # ~36 KB of UTF-8: one reading page stays well under the 150 KB page budget


def split_long(title: str, paragraphs: list[str]) -> list[tuple[str, list[str]]]:
    """Cut a long chapter into reading pages at paragraph boundaries: 《…》（2）, （3）…"""
    pages, cur, size = [], [], 0
    for p in paragraphs:
        while len(p) > CHAPTER_PAGE_CHARS:  # one enormous paragraph
            head, p = p[:CHAPTER_PAGE_CHARS], p[CHAPTER_PAGE_CHARS:]
            if cur:
                pages.append(cur)
                cur, size = [], 0
            pages.append([head])
        if size + len(p) > CHAPTER_PAGE_CHARS and cur:
            pages.append(cur)
            cur, size = [], 0
        cur.append(p)
        size += len(p)
    if cur or not pages:
        pages.append(cur)
    if len(pages) == 1:
        return [(title, pages[0])]
    return [(title if i == 0 else f"{title}（{i + 1}）", pg) for i, pg in enumerate(pages)]


@dataclass
class Chapter:
    title: str
    text: str


def detect_book(upload, *, field: str = "file", max_bytes: int | None = None) -> tuple[str, list[Chapter]]:
    """Return ("pdf", []) or ("epub", chapters) after checking the content; ServiceError otherwise."""
    max_bytes = max_bytes or BOOK_MAX_BYTES
    if size_of(upload) > max_bytes:
        raise ServiceError(f"电子书文件不能超过 {max_bytes // MB} MB", field=field)
    head = _head(upload)
    if head.startswith(b"%PDF-"):
        return "pdf", []
    if head.startswith(b"PK\x03\x04"):
        return "epub", read_epub(upload, field=field)
    raise ServiceError("文件不是有效的 PDF 或 EPUB（按文件内容检查）", field=field)


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, field: str, limit: int = EPUB_MAX_ENTRY) -> bytes:
    if info.file_size > limit:
        raise ServiceError(f"EPUB 中的文件 {info.filename[:60]} 过大", field=field)
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise ServiceError("EPUB 文件已损坏或加密", field=field) from None
    if len(data) > limit:
        raise ServiceError(f"EPUB 中的文件 {info.filename[:60]} 过大", field=field)
    return data


def _xml(data: bytes, field: str) -> ET.Element:
    if re.search(rb"<!\s*ENTITY", data, re.I):
        raise ServiceError("EPUB 元数据包含不允许的实体声明", field=field)
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        raise ServiceError("EPUB 元数据（XML）格式错误", field=field) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_epub(upload, *, field: str = "file") -> list[Chapter]:
    upload.seek(0)
    try:
        zf = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ServiceError("文件不是有效的 EPUB（压缩包损坏）", field=field) from None
    try:
        infos = zf.infolist()
        if len(infos) > EPUB_MAX_ENTRIES:
            raise ServiceError("EPUB 包含的文件过多", field=field)
        if sum(i.file_size for i in infos) > EPUB_MAX_TOTAL:
            raise ServiceError("EPUB 解压后过大（疑似压缩炸弹）", field=field)
        for i in infos:
            if i.file_size > 64 * 1024 and i.file_size > EPUB_MAX_RATIO * max(i.compress_size, 1):
                raise ServiceError("EPUB 压缩比异常（疑似压缩炸弹）", field=field)
        by_name = {i.filename: i for i in infos}
        mt = by_name.get("mimetype")
        if mt is None or _read(zf, mt, field, 100).strip() != b"application/epub+zip":
            raise ServiceError("压缩包不是 EPUB：缺少 mimetype（application/epub+zip）", field=field)
        container = by_name.get("META-INF/container.xml")
        if container is None:
            raise ServiceError("EPUB 缺少 META-INF/container.xml", field=field)
        root = _xml(_read(zf, container, field, 64 * 1024), field)
        opf_path = next((el.get("full-path") for el in root.iter() if _local(el.tag) == "rootfile"), None)
        if not opf_path or opf_path not in by_name:
            raise ServiceError("EPUB 缺少内容清单（OPF）", field=field)
        opf = _xml(_read(zf, by_name[opf_path], field, 1 * MB), field)
        base = posixpath.dirname(opf_path)
        manifest = {}
        spine: list[str] = []
        for el in opf.iter():
            name = _local(el.tag)
            if name == "item" and el.get("id") and el.get("href"):
                href = posixpath.normpath(posixpath.join(base, unquote(el.get("href").split("#")[0])))
                manifest[el.get("id")] = (href, el.get("media-type", ""))
            elif name == "itemref" and el.get("idref"):
                spine.append(el.get("idref"))
        chapters: list[Chapter] = []
        for idref in spine[:EPUB_MAX_CHAPTERS]:
            href, media = manifest.get(idref, ("", ""))
            if media not in ("application/xhtml+xml", "text/html") or href not in by_name:
                continue
            raw = _read(zf, by_name[href], field)
            title, paragraphs = html_to_paragraphs(raw.decode("utf-8", errors="replace"))
            if title and paragraphs and paragraphs[0] == title:
                paragraphs = paragraphs[1:]  # the heading is shown as the chapter title
            if paragraphs or title:
                title = (title or f"第 {len(chapters) + 1} 章")[:190]
                for part_title, part in split_long(title, paragraphs):
                    chapters.append(Chapter(title=part_title, text="\n\n".join(part)))
                if len(chapters) > EPUB_MAX_CHAPTERS * 4:
                    raise ServiceError("EPUB 篇幅过长", field=field)
        if not chapters:
            raise ServiceError("EPUB 中没有可阅读的章节", field=field)
        return chapters
    finally:
        zf.close()
        upload.seek(0)


_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
          "article", "pre", "dd", "dt", "hr", "table", "ul", "ol", "figure", "figcaption", "aside", "header",
          "footer", "nav", "body"}
_SKIP = {"script", "style", "head", "svg", "math", "object", "iframe", "noscript", "template"}
_WS = re.compile(r"\s+")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title = ""
        self._buf: list[str] = []
        self._skip = 0
        self._heading = False

    def _flush(self):
        text = _WS.sub(" ", "".join(self._buf)).strip()
        self._buf = []
        if text:
            self.paragraphs.append(text)
            if self._heading and not self.title:
                self.title = text

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self._flush()
            self._heading = tag in {"h1", "h2", "h3"}

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._flush()
            self._heading = False

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)


def html_to_paragraphs(markup: str) -> tuple[str, list[str]]:
    """(first heading, paragraphs of plain text) from XHTML: tags, scripts, styles and attributes dropped."""
    p = _Text()
    p.feed(markup)
    p.close()
    p._flush()
    return p.title, p.paragraphs
