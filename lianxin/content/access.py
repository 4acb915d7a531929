"""Who counts as a member on the H5 pages, and how private files are sent.

A member is a signed-in accounts.User whose ``person`` is set. Anonymous visitors are sent to the portal's
sign-in page; a signed-in user without a person record (a staff worker, say) gets a Chinese 403.
"""

from __future__ import annotations

from django.http import FileResponse


def is_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "person_id", None))


CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf",
                 "epub": "application/epub+zip"}


def send_file(filefield, *, inline: bool = True, filename: str = "", cache_seconds: int = 0) -> FileResponse:
    """Stream a stored file with a type decided from our own (content-checked) extension, never sniffed.
    Filenames go out RFC 5987-encoded by FileResponse."""
    ext = filefield.name.rsplit(".", 1)[-1].lower()
    resp = FileResponse(filefield.open("rb"), content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
                        as_attachment=not inline, filename=filename or None)
    if inline and not filename:
        resp["Content-Disposition"] = "inline"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = f"private, max-age={cache_seconds}" if cache_seconds else "private, no-cache"
    return resp
