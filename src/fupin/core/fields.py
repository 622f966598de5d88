"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class CodeField(models.CharField):
    """A code of ASCII digits and letters (region code, household number, ID number).

    On PostgreSQL the column uses `COLLATE "C"`: byte order is the right order for codes,
    prefix ranges (`code >= '5227' AND code < '5228'`) stay index range scans, and its
    indexes build and update faster than under a linguistic collation. Foreign keys to a
    code inherit the collation.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
