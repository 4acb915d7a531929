"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead


def _digest(prev: str, e: AuditEntry) -> str:
    body = json.dumps(
        [e.seq, e.at.isoformat(), e.actor_id, e.actor_label, e.action, e.object_type, e.object_id,
         e.org_path, e.reason, e.detail, prev],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(*, actor, action: str, obj=None, org_path: str = "", reason: str = "", detail: dict | None = None,
           object_type: str = "", object_id: str = "") -> AuditEntry:
    """Append one entry. Call inside the service's transaction so the entry and the act commit together."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        e = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=getattr(actor, "username", "") or (str(actor) if actor else "系统"),
            action=action,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id or (str(obj.pk) if obj is not None else ""),
            org_path=org_path,
            reason=reason[:500],
            detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
            prev_hash=head.hash,
        )
        e.hash = _digest(head.hash, e)
        e.save()
        head.seq, head.hash = e.seq, e.hash
        head.save(update_fields=["seq", "hash"])
        return e


def verify() -> list[str]:
    """Walk the chain; return the problems found (empty when intact)."""
    problems: list[str] = []
    prev, expected_seq = "0" * 64, 1
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if e.seq != expected_seq:
            problems.append(f"第 {expected_seq}–{e.seq - 1} 条记录缺失（被删除）")
        if e.prev_hash != prev:
            problems.append(f"第 {e.seq} 条的前序哈希与链不符")
        if _digest(e.prev_hash, e) != e.hash:
            problems.append(f"第 {e.seq} 条内容被修改（哈希不符）")
        prev, expected_seq = e.hash, e.seq + 1
    head = AuditHead.objects.filter(id=1).first()
    last = expected_seq - 1
    if head and (head.seq != last or head.hash != prev):
        problems.append(f"链尾不符：应到第 {head.seq} 条，实际到第 {last} 条（末尾记录被删除或改动）")
    return problems
