"""Errors that services raise for users. Messages are Chinese and name the field, so views, the API and
imports can show them as they are; nothing a user can trigger should become a 500."""


class ServiceError(Exception):
    """A rule said no. ``field`` names the form field (or Excel column) at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict:
        return {"detail": self.message, "field": self.field, "code": self.code}


class PermissionDenied(ServiceError):
    """The actor's roles do not reach this object or action."""

    def __init__(self, message: str = "无权进行此操作", **kw):
        kw.setdefault("code", "forbidden")
        super().__init__(message, **kw)
