"""Field encryption and blind indexes for personal data (DESIGN rule 2).

Ciphertext format: ``<key id>$<base64(nonce ‖ AES-GCM ciphertext+tag)>``. The key id lets us rotate: the first
key in LIANXIN_FIELD_KEYS encrypts, every listed key decrypts (``manage.py rotate_field_keys`` re-encrypts).
The blind index is HMAC-SHA256 over the normalised value with its own key, so equal values are findable and
deduplicable without decrypting; it is not rotated with the field keys (changing it means recomputing).
The column name is bound in as associated data so a ciphertext cannot be moved to another column.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[tuple[str, AESGCM], ...]:
    keys = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kid, _, b64 = part.partition(":")
        raw = _b64d(b64)
        if len(raw) != 32 or not kid.isalnum():
            raise ImproperlyConfigured("LIANXIN_FIELD_KEYS entries must be '<alnum id>:<base64 of 32 bytes>'")
        keys.append((kid, AESGCM(raw)))
    if not keys:
        raise ImproperlyConfigured("LIANXIN_FIELD_KEYS is not set (make run writes var/local.env)")
    return tuple(keys)


_resolved: dict[str, object] = {}  # parsed keys for the current settings; emptied when a key setting changes


def _keys():
    try:
        return _resolved["field"]
    except KeyError:
        return _resolved.setdefault("field", _parse_keys(settings.LIANXIN_FIELD_KEYS))


def _current_bidx_key() -> bytes:
    try:
        return _resolved["bidx"]
    except KeyError:
        return _resolved.setdefault("bidx", _bidx_key(settings.LIANXIN_BLIND_INDEX_KEY))


@receiver(setting_changed)
def _forget_keys(*, setting, **_kw):
    """Reading ``settings.X`` costs a LazySettings lookup on every call (five per imported row); the parsed keys
    are kept instead and dropped whenever either key setting changes (``override_settings`` in tests)."""
    if setting in ("LIANXIN_FIELD_KEYS", "LIANXIN_BLIND_INDEX_KEY"):
        _resolved.clear()


@lru_cache(maxsize=4)
def _bidx_key(spec: str) -> bytes:
    if not spec:
        raise ImproperlyConfigured("LIANXIN_BLIND_INDEX_KEY is not set (make run writes var/local.env)")
    key = _b64d(spec)
    if len(key) < 32:
        raise ImproperlyConfigured("LIANXIN_BLIND_INDEX_KEY must be at least 32 bytes (base64)")
    return key


def encrypt(plaintext: str, *, context: str) -> str:
    kid, aead = _keys()[0]
    nonce = os.urandom(12)
    ct = aead.encrypt(nonce, plaintext.encode(), _ad(context))
    return f"{kid}${base64.urlsafe_b64encode(nonce + ct).decode().rstrip('=')}"


@lru_cache(maxsize=64)
def _ad(context: str) -> bytes:
    return context.encode()


def decrypt(token: str, *, context: str) -> str:
    kid, _, body = token.partition("$")
    for k, aead in _keys():
        if k == kid:
            raw = _b64d(body)
            return aead.decrypt(raw[:12], raw[12:], _ad(context)).decode()
    raise ImproperlyConfigured(f"field key {kid!r} is not configured; cannot decrypt")


def key_id(token: str) -> str:
    return token.partition("$")[0]


def active_key_id() -> str:
    return _keys()[0][0]


def reencrypt(token: str, *, context: str) -> str | None:
    """``token`` sealed again under the active key, or None when it already is (or is empty)."""
    if not token or key_id(token) == active_key_id():
        return None
    return encrypt(decrypt(token, context=context), context=context)


def rotate_column(queryset, field: str, *, context: str, batch: int = 2000, key_field: str | None = None) -> int:
    """Re-encrypt ``field`` of every row of ``queryset`` that is not under the active key, ``batch`` rows at a
    time, each batch locked and written in its own transaction (a long rotation never holds one huge lock, and
    a stop halfway leaves every row readable: old and new keys both decrypt). ``key_field`` names a column that
    records the sealing key's id, set alongside. Returns the number of rows rewritten."""
    from django.db import transaction

    active = active_key_id()
    todo = queryset.exclude(**{field: ""}).exclude(**{f"{field}__startswith": f"{active}$"}).order_by("pk")
    fields = [field, key_field] if key_field else [field]
    done = 0
    while True:
        with transaction.atomic():
            rows = list(todo.select_for_update()[:batch])
            if not rows:
                return done
            for row in rows:
                setattr(row, field, reencrypt(getattr(row, field), context=context))
                if key_field:
                    setattr(row, key_field, active)
            queryset.model.objects.bulk_update(rows, fields)
            done += len(rows)


def blind_index(value: str, *, context: str) -> str:
    """Deterministic keyed hash of a normalised value, for exact lookup and unique constraints:
    HMAC-SHA256(key, "<context>:<value>"), hex. The HMAC state after "<context>:" is kept per context and
    copied, which saves a third of the cost per value (an import computes two per row)."""
    try:
        h = _resolved["bidx:" + context].copy()
    except KeyError:
        h = _resolved.setdefault("bidx:" + context, hmac.new(_current_bidx_key(), f"{context}:".encode(),
                                                             hashlib.sha256)).copy()
    h.update(value.encode())
    return h.hexdigest()


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
