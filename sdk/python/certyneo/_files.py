"""A PDF to send, as a multipart/form-data body."""

from __future__ import annotations

import os
import uuid
from typing import IO, Optional, Tuple, Union

from ._transport import Body

#: Bytes, a path, or an open binary file (a PDF; a CSV for a bulk send).
FileSource = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", IO[bytes]]


def read_source(source: FileSource, name: Optional[str], default: str = "document.pdf") -> Tuple[bytes, str]:
    """The bytes and a file name: the given one, else the path's or the open file's, else ``default``."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or default
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read(), name or os.path.basename(os.fspath(source))
    data = source.read()
    return data, name or os.path.basename(str(getattr(source, "name", "") or "")) or default


def _quote(value: str) -> str:
    # As browsers do (WHATWG): the name is a quoted string, so escape what would end it.
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def pdf_form(data: bytes, filename: str, fields: Optional[dict] = None, content_type: str = "application/pdf") -> Body:
    boundary = f"certyneo-{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quote(filename)}"\r\nContent-Type: {content_type}\r\n\r\n'.encode("utf-8")
        + data
        + b"\r\n"
    ]
    for key, value in (fields or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode("utf-8"))
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return Body(b"".join(parts), f"multipart/form-data; boundary={boundary}")
