"""Children's ID numbers and guardians' mobiles are re-sealed by :func:`services.rotate_care_keys` (the step for
``manage.py rotate_field_keys``): after it nothing is left under the old key and everything still reads."""

import pytest
from django.test import override_settings

from lianxin.care import services
from lianxin.care.models import Enrolment
from lianxin.care.testing import child_id, make_class, make_woman
from lianxin.core import crypto

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

NEW = "t2:" + "C" * 43


def test_rotation_reseals_children_and_guardians(district, settings):
    k = make_class(district.street_a)
    g = make_woman(district.base_a1, "家长")
    numbers = [child_id(8, 90 + i, on=k.starts_on) for i in range(3)]
    for i, n in enumerate(numbers):
        services.enrol_child(
            actor=g.user, class_id=k.pk, child_name=f"孩子{i}", child_id=n, guardian_mobile=f"1395710000{i}"
        )
    with override_settings(LIANXIN_FIELD_KEYS=f"{NEW},{settings.LIANXIN_FIELD_KEYS}"):
        assert services.rotate_care_keys(batch=2) == 6
        rows = list(Enrolment.objects.order_by("id"))
        assert {crypto.key_id(r.child_id_cipher) for r in rows} == {"t2"}
        assert {crypto.key_id(r.guardian_mobile_cipher) for r in rows} == {"t2"}
        assert [crypto.decrypt(r.child_id_cipher, context=services.CHILD_ID_CTX) for r in rows] == numbers
        assert services.rotate_care_keys() == 0
        # the blind index does not change: the one-per-child rule still finds the child
        with pytest.raises(Exception, match="已报名该托管班"):
            services.enrol_child(
                actor=g.user,
                class_id=k.pk,
                child_name="孩子0",
                child_id=numbers[0],
                guardian_mobile="13957100000",
            )
