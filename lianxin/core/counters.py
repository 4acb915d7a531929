from django.db import transaction
from django.db.models import F

from .models import Counter


def reserve(name: str, n: int = 1) -> range:
    """``n`` consecutive values of a gap-free counter in one UPDATE; the row stays locked until the caller's
    transaction ends, so a rollback gives the numbers back."""
    if n <= 0:
        return range(0)
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        Counter.objects.filter(name=name).update(value=F("value") + n)
        end = Counter.objects.select_for_update().get(name=name).value
        return range(end - n + 1, end + 1)


def lock(name: str) -> None:
    """Take the counter's row lock now (held to the end of the caller's transaction) without using a value: for
    callers that must take it before other row locks, so that everyone takes them in the same order."""
    Counter.objects.get_or_create(name=name)
    Counter.objects.select_for_update().filter(name=name).exists()


def next_value(name: str) -> int:
    return reserve(name, 1)[0]
