"""A signature drawn on a canvas (signature pad) and posted as a PNG data URL.

Shared by the callbacks' on-site confirmation and the technician's resolve form: the browser's
`canvas.toDataURL("image/png")` is untrusted input, so the bytes must really be a PNG of a sane
size before anything is stored.
"""

import base64
import binascii

from django.utils.translation import gettext as _

from kefu.core.errors import field_error

SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MAX_SIDE = 4000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PREFIX = "data:image/png;base64,"


def signature_png(data_url: str, *, field: str = "signature") -> bytes:
    """The PNG bytes of a canvas data URL, after checking it really is a PNG of a sane size
    (InvalidInput on `field` otherwise)."""
    if not isinstance(data_url, str) or not data_url.startswith(PREFIX):
        raise field_error(field, _("The signature must be a PNG image drawn on the screen."))
    encoded = data_url[len(PREFIX):]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise field_error(field, _("The signature image is too large."))
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise field_error(field, _("The signature must be a PNG image drawn on the screen.")) from None
    if len(raw) < 33 or not raw.startswith(PNG_MAGIC) or raw[12:16] != b"IHDR":
        raise field_error(field, _("The signature must be a PNG image drawn on the screen."))
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    if not (20 <= width <= SIGNATURE_MAX_SIDE and 20 <= height <= SIGNATURE_MAX_SIDE):
        raise field_error(field, _("The signature image has an unusable size."))
    return raw
