"""One HTTP exchange with the API, with the SDK's rules (standard library only)."""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import random
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Mapping, Optional, Tuple

from ._version import __version__
from .errors import CertyneoError

#: Retry-After beyond this is not waited for: the error goes to the caller.
MAX_RETRY_AFTER_SECONDS = 60.0

_PARAM = re.compile(r"\{(\w+)\}")


class Body:
    """A request body with its content type."""

    def __init__(self, data: bytes, content_type: str) -> None:
        self.data = data
        self.content_type = content_type

    @classmethod
    def json(cls, value: Any) -> "Body":
        return cls(json.dumps(value).encode("utf-8"), "application/json")


def _backoff(attempt: int) -> float:
    """About 0.5 s, 1 s, 2 s... capped at 8 s, with jitter."""
    return min(8.0, 0.5 * 2**attempt) * (0.75 + random.random() * 0.5)


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        at = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, at.timestamp() - time.time())


def _is_timeout(e: BaseException) -> bool:
    return isinstance(e, socket.timeout) or isinstance(getattr(e, "reason", None), socket.timeout)


class Transport:
    """Bearer key, JSON in and out, an Idempotency-Key on every authenticated POST, retries of
    429 (after Retry-After) and, for requests safe to repeat, of 5xx and network errors."""

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get("CERTYNEO_API_KEY")
        self.base_url = (base_url or os.environ.get("CERTYNEO_BASE_URL") or "http://localhost:3000").rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries

    def url(self, route: str, path: Optional[Mapping[str, str]] = None, query: Optional[Mapping[str, Any]] = None) -> str:
        params = path or {}

        def fill(m: "re.Match[str]") -> str:
            value = params.get(m.group(1))
            if not value:
                raise ValueError(f"{route}: missing {m.group(1)}")
            return urllib.parse.quote(str(value), safe="")

        qs = urllib.parse.urlencode({k: _query_value(v) for k, v in (query or {}).items() if v is not None})
        return self.base_url + _PARAM.sub(fill, route) + (f"?{qs}" if qs else "")

    def json(self, method: str, route: str, **kwargs: Any) -> Any:
        return json.loads(self.send(method, route, **kwargs)[1] or b"null")

    def bytes(self, method: str, route: str, **kwargs: Any) -> bytes:
        return self.send(method, route, **kwargs)[1]

    def send(
        self,
        method: str,
        route: str,
        path: Optional[Mapping[str, str]] = None,
        query: Optional[Mapping[str, Any]] = None,
        body: Optional[Body] = None,
        anonymous: bool = False,
        idempotency_key: Optional[str] = None,
    ) -> Tuple[int, bytes]:
        url = self.url(route, path, query)
        headers: Dict[str, str] = {
            "Accept": "application/json, application/pdf, application/problem+json",
            "User-Agent": f"certyneo-sdk-python/{__version__}",
        }
        if not anonymous:
            if not self.api_key:
                raise CertyneoError(0, "missing_api_key", "No API key: pass api_key= or set CERTYNEO_API_KEY")
            headers["Authorization"] = f"Bearer {self.api_key}"
        if body is not None:
            headers["Content-Type"] = body.content_type
        # The server replays a POST it already ran when it sees the same key again, so a POST
        # with a key is as safe to retry as a GET. The signing API (anonymous) keeps no keys.
        if method == "POST" and not anonymous:
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        repeatable = method in ("GET", "DELETE") or "Idempotency-Key" in headers

        attempt = 0
        while True:
            retries_left = attempt < self.max_retries
            request = urllib.request.Request(url, data=body.data if body else None, headers=headers, method=method)
            deadline = time.monotonic() + self.timeout
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as res:
                    return res.status, _read_until(res, deadline)
            except urllib.error.HTTPError as res:
                error = _error_from(res.code, {k.lower(): v for k, v in res.headers.items()}, res.read())
                wait = error.retry_after_seconds
                retryable = res.code == 429 or error.code == "idempotency_in_progress" or (res.code >= 500 and res.code != 501 and repeatable)
                if not (retryable and retries_left and (wait is None or wait <= MAX_RETRY_AFTER_SECONDS)):
                    raise error from None
                time.sleep(wait if wait is not None else _backoff(attempt))
            except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
                if repeatable and retries_left:
                    time.sleep(_backoff(attempt))
                else:
                    if _is_timeout(e):
                        raise CertyneoError(0, "timeout", f"{method} {url} got no answer within {self.timeout} s") from e
                    raise CertyneoError(0, "network_error", f"{method} {url} failed: {getattr(e, 'reason', e)}") from e
            attempt += 1


def _read_until(res: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, all of it before the deadline. The socket's timeout bounds each read only, so
    an answer trickling in would otherwise hold the call for as long as the server likes."""
    sock = getattr(getattr(res.fp, "raw", None), "_sock", None)  # CPython's SocketIO
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("the answer did not arrive in time")
        if sock is not None:
            sock.settimeout(left)
        chunk = res.read1(65536)  # what has arrived, without waiting to fill the buffer
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _query_value(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _error_from(status: int, headers: Mapping[str, str], data: bytes) -> CertyneoError:
    problem = None
    try:
        parsed = json.loads(data)
        if isinstance(parsed, dict) and isinstance(parsed.get("code"), str):
            problem = parsed
    except ValueError:
        pass  # Not JSON: a proxy's error page, say. The status still tells what happened.
    text = data[:200].decode("utf-8", "replace")
    return CertyneoError(
        status=status,
        code=problem["code"] if problem else f"http_{status}",
        message=(problem.get("detail") or problem.get("message")) if problem else f"HTTP {status}{': ' + text if text else ''}",
        request_id=(problem or {}).get("requestId") or headers.get("x-request-id"),
        problem=problem,  # type: ignore[arg-type]
        retry_after_seconds=_retry_after(headers),
    )
