from __future__ import annotations

from typing import Any, Iterator, List, Optional

from .._fields import api_fields
from .._files import FileSource, pdf_form, read_source
from .._pagination import paginate
from .._transport import Body, Transport
from ..types import Batch, BatchRowInput, Template


class Templates:
    """Envelopes to make again and again: documents, roles and fields, with people named per envelope.

    Keyword arguments are the API's fields in snake_case (``document_ids=``, ``expires_in_days=``);
    nested objects such as roles and fields are written as in the API (``{"roleName": "Employee"}``).
    """

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(self, *, idempotency_key: Optional[str] = None, **fields: Any) -> Template:
        """``create(name=..., subject=..., document_ids=[...], roles=[{"roleName": "Employee"}], fields=[...])``."""
        return self._http.json("POST", "/api/v1/templates", body=Body.json(api_fields(fields)), idempotency_key=idempotency_key)

    def get(self, id: str) -> Template:
        return self._http.json("GET", "/api/v1/templates/{id}", path={"id": id})

    def update(self, id: str, **fields: Any) -> Template:
        """Only the fields given change; None clears. Envelopes already made from it do not change."""
        return self._http.json("PATCH", "/api/v1/templates/{id}", path={"id": id}, body=Body.json(api_fields(fields)))

    def list(self, limit: Optional[int] = None, starting_after: Optional[str] = None) -> Iterator[Template]:
        """Every template, newest first, page after page as the loop asks for more."""
        return paginate(lambda after: self._http.json("GET", "/api/v1/templates", query={"limit": limit, "startingAfter": after}), starting_after)

    def delete(self, id: str) -> Template:
        """Deletes a template (the answer has ``deleted: True``); refused (409 template_in_use) while a bulk send from it has rows to send."""
        return self._http.json("DELETE", "/api/v1/templates/{id}", path={"id": id})

    def bulk_send(
        self,
        id: str,
        rows: Optional[List[BatchRowInput]] = None,
        *,
        csv: Optional[FileSource] = None,
        name: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Batch:
        """Sends the template to many people, one envelope per row: ``bulk_send(id, [{"recipients": [...]}])``,
        or ``bulk_send(id, csv="people.csv")`` (bytes, a path or an open binary file). The answer is the
        batch, queued; ``batches.get`` shows its progress."""
        if (rows is None) == (csv is None):
            raise TypeError("bulk_send takes rows or csv=, one of them")
        if csv is not None:
            data, filename = read_source(csv, name, "rows.csv")
            body = pdf_form(data, filename, content_type="text/csv")
        else:
            body = Body.json({"rows": rows})
        return self._http.json("POST", "/api/v1/templates/{id}/bulk-send", path={"id": id}, body=body, idempotency_key=idempotency_key)
