#!/usr/bin/env python3
"""Write var/local.env with fresh development keys when it does not exist (make run, make test).
Production sets these variables itself; this file is never committed.

The local demo also switches the staff second factor off (LIANXIN_STAFF_OTP=off) so the demo logins work
without a phone; production leaves the variable unset and gets the default, "required". An older local.env
without that line gets it appended (make run calls this script every time)."""

import base64
import os
import secrets
import sys
from pathlib import Path

OTP_LINE = "# local demo only: staff sign in with the password alone (production default: required)\nLIANXIN_STAFF_OTP=off\n"

path = Path(sys.argv[1] if len(sys.argv) > 1 else "var/local.env")
if not path.exists():
    path.parent.mkdir(parents=True, exist_ok=True)

    def key():
        return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

    path.write_text(
        f"LIANXIN_SECRET_KEY={secrets.token_urlsafe(40)}\n"
        f"LIANXIN_FIELD_KEYS=k1:{key()}\n"
        f"LIANXIN_BLIND_INDEX_KEY={key()}\n"
        + OTP_LINE
    )
    path.chmod(0o600)
    print(f"generated development keys in {path}")
elif not any(line.strip().startswith("LIANXIN_STAFF_OTP=") for line in path.read_text().splitlines()):
    with path.open("a") as f:
        f.write(("\n" if not path.read_text().endswith("\n") else "") + OTP_LINE)
    print(f"{path}: LIANXIN_STAFF_OTP=off added for the local demo")
