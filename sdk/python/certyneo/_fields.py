"""Python keyword arguments to the API's JSON names."""

from __future__ import annotations

from typing import Any, Dict


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def api_fields(fields: Dict[str, Any]) -> Dict[str, Any]:
    """Top-level keyword arguments in snake_case become the API's camelCase members; values are
    sent as given (nested objects such as recipients use the API's own names)."""
    return {camel(k): v for k, v in fields.items()}
