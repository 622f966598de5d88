"""The jobs API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class JobIn(Schema):
    """A job to start: its kind, the region it acts on ('' is the nation), its parameters."""

    kind: str = Field(examples=["annual_run", "export"])
    region_code: str = ""
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"year": 2016}])


class JobOut(Schema):
    """A job, its progress and its result."""

    id: int
    kind: str
    status: str
    region_code: str
    params: dict[str, Any]
    done: int
    total: int
    percent: int | None
    message: str
    result: dict[str, Any] | None
    has_file: bool
    page: str
    user: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
