"""Domain refusals that name the field at fault; each blueprint turns them into a 4xx."""

from __future__ import annotations


class Rejected(Exception):
    """A request the service refuses, for a reason a person can read and fix."""

    def __init__(
        self, field: str | None, message: str, *, code: str = "invalid", status: int = 400
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code
        self.status = status

    def as_json(self) -> dict[str, dict[str, str]]:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}
