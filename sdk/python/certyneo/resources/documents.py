from __future__ import annotations

from typing import Iterator, Optional

from .._files import FileSource, pdf_form, read_source
from .._pagination import paginate
from .._transport import Transport
from ..types import Document


class Documents:
    """PDFs uploaded to be sent in envelopes."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def upload(self, source: FileSource, name: Optional[str] = None, idempotency_key: Optional[str] = None) -> Document:
        """Uploads a PDF: bytes, a path or an open binary file. ``name`` defaults to the file's name."""
        data, filename = read_source(source, name)
        body = pdf_form(data, filename, {"name": filename})
        return self._http.json("POST", "/api/v1/documents", body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> Document:
        return self._http.json("GET", "/api/v1/documents/{id}", path={"id": id})

    def content(self, id: str) -> bytes:
        """The uploaded PDF's original bytes."""
        return self._http.bytes("GET", "/api/v1/documents/{id}/content", path={"id": id})

    def list(self, limit: Optional[int] = None, starting_after: Optional[str] = None) -> Iterator[Document]:
        """Every document, newest first, page after page as the loop asks for more."""
        return paginate(lambda after: self._http.json("GET", "/api/v1/documents", query={"limit": limit, "startingAfter": after}), starting_after)

    def delete(self, id: str) -> Document:
        """Deletes a document; refused (409 document_in_use) while a draft or sent envelope uses it."""
        return self._http.json("DELETE", "/api/v1/documents/{id}", path={"id": id})
