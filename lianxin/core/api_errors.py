"""The API's refusals as the OpenAPI schema declares them: one error body (:class:`ApiError`) and, per operation,
the status codes it really answers with (:func:`answers`), so the WeChat front ends see every refusal in
/api/docs and the fuzzer (lianxin/core/tests/test_api_fuzz.py) fails on an undeclared status or a body of
another shape.

What each status means on this API (lianxin/api.py makes them; the fuzzer holds the lists to the truth):

* 400 — a rule refused the request (ServiceError: ``detail``, ``field``, ``code``, sometimes ``errors``), a body
  that is not JSON or has too many form fields, a number out of the database's range;
* 401 — no session and no (valid) member token, on an operation that needs one;
* 403 — the role does not reach the action (PermissionDenied) or a session write failed its CSRF check;
* 404 — the object does not exist or lies outside the caller's subtree, or the path matches no operation
  (``/activities/abc/signup`` where an int id is routed; lianxin/api.py's catch-all);
* 413 / 415 — a session write whose body is too large / is a form or multipart body (the API takes JSON);
* 422 — a parameter or body field of the wrong type or shape (``errors`` maps each field at fault).

401 and 403 are declared on EVERY operation, public ones included: accounts.otp.StaffOTPMiddleware answers a
staff session that still owes its second factor or a password change with a 403, and one whose temporary
password has expired with a 401, on every /api/ path before any operation runs. A 405 (a method the path does
not have) belongs to no operation, so none declares it.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict

# what the request layer may refuse in any POST/PATCH that a session can send (CSRF makes Django read the form
# body first): too many fields or a body that is not JSON, too large, not JSON at all
WRITE = (400, 413, 415)
ALWAYS = (401, 403)


class ApiError(Schema):
    """Every 4xx body of the API. ``detail`` is Chinese and shown to the user as it is; ``field`` names the
    input at fault when there is one; ``code`` is stable for programs (``invalid``, ``forbidden``,
    ``not_found``, ``media_type`` ...); ``errors`` maps every field at fault to its message (422, and a form
    checked as a whole). Closed (no other keys), so a body of another shape fails the fuzzer."""

    model_config = ConfigDict(extra="forbid")

    detail: str
    field: str | None = None
    code: str | None = None
    errors: dict[str, str] | None = None


def answers(ok, *refusals: int, status: int = 200) -> dict:
    """An operation's ``response=`` map: ``ok`` under ``status`` and :class:`ApiError` under each refusal and
    under :data:`ALWAYS` (the session gates, see the module docstring)."""
    out = {status: ok}
    for code in sorted({*refusals, *ALWAYS}):
        if not 400 <= code < 500:
            raise ValueError(f"{code} is not a refusal")
        out[code] = ApiError
    return out
