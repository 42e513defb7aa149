"""Serving files users uploaded: nothing active is ever rendered inline (issue #15).

Only raster photos (JPEG, PNG, GIF, WebP — what the upload checks accept, by content) are shown
inline; everything else, PDFs included (a PDF can carry JavaScript and forms), is sent as a
download. Every such response also carries a sandboxing Content-Security-Policy, so even a file
a browser decides to render cannot run script or reach our origin.
"""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
USER_FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def user_file_response(file: IO[Any], *, content_type: str, filename: str | None = None) -> FileResponse:
    """A FileResponse for an uploaded file: inline only for raster photos, sandboxed always."""
    inline = content_type in INLINE_TYPES
    response = FileResponse(file, content_type=content_type if inline or content_type else "application/octet-stream",
                            as_attachment=not inline, filename=filename or "")
    response["Content-Security-Policy"] = USER_FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
