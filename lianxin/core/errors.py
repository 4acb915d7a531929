"""Errors that services raise for users. Messages are Chinese and name the field, so views, the API and
imports can show them as they are; nothing a user can trigger should become a 500."""


class ServiceError(Exception):
    """A rule said no. ``field`` names the form field (or Excel column) at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid",
                 errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        # every field at fault when a form is checked as a whole (field -> message); ``message``/``field`` are
        # then the first of them, so code that shows one problem keeps working
        self.errors = dict(errors or {})

    def message_for(self, field: str) -> str:
        """The message to show next to ``field`` ("" when that field is fine)."""
        if self.errors:
            return self.errors.get(field, "")
        return self.message if self.field == field else ""

    def as_dict(self) -> dict:
        out = {"detail": self.message, "field": self.field, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        return out


class PermissionDenied(ServiceError):
    """The actor's roles do not reach this object or action."""

    def __init__(self, message: str = "无权进行此操作", **kw):
        kw.setdefault("code", "forbidden")
        super().__init__(message, **kw)
