#!/usr/bin/env python3
"""Write var/local.env with fresh development keys when it does not exist (make run, make test).
Production sets these variables itself; this file is never committed."""

import base64
import os
import secrets
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else "var/local.env")
if not path.exists():
    path.parent.mkdir(parents=True, exist_ok=True)

    def key():
        return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

    path.write_text(
        f"LIANXIN_SECRET_KEY={secrets.token_urlsafe(40)}\n"
        f"LIANXIN_FIELD_KEYS=k1:{key()}\n"
        f"LIANXIN_BLIND_INDEX_KEY={key()}\n"
    )
    path.chmod(0o600)
    print(f"generated development keys in {path}")
