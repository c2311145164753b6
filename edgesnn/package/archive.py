"""The bundle's zip, byte-reproducible: the same members always give the same bytes (and sha256)."""

from __future__ import annotations

import io
import zipfile

#: every member's timestamp (zip's earliest), so a rebuild is identical
_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_zip(members: dict[str, bytes]) -> bytes:
    """A deterministic zip of ``members``: sorted, fixed timestamps, deflated, mode 0644."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])
    return buf.getvalue()
