from django.db import transaction
from django.db.models import F

from .models import Counter


def next_value(name: str) -> int:
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        Counter.objects.filter(name=name).update(value=F("value") + 1)
        return Counter.objects.select_for_update().get(name=name).value
