import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from lianxin.core import crypto
from lianxin.core.testing import make_person
from lianxin.members.models import Person
from lianxin.members.services import ID_CTX

pytestmark = [pytest.mark.django_db]

NEW = "t2:" + "C" * 43


def test_rotation_reencrypts_under_the_new_key_and_lookups_still_work(district, settings):
    p = make_person(district.base_a1, "轮换", mobile_no="13900001234")
    number = crypto.decrypt(p.id_cipher, context=ID_CTX)
    old_spec = settings.LIANXIN_FIELD_KEYS
    with override_settings(LIANXIN_FIELD_KEYS=f"{NEW},{old_spec}"):
        call_command("rotate_field_keys", verbosity=0)
        p = Person.objects.get(pk=p.pk)
        assert p.id_key == "t2" and crypto.key_id(p.id_cipher) == "t2"
        assert crypto.decrypt(p.id_cipher, context=ID_CTX) == number
    # the old key alone can no longer read it: rotation really happened
    with override_settings(LIANXIN_FIELD_KEYS=old_spec), pytest.raises(ImproperlyConfigured, match="t2"):
        crypto.decrypt(p.id_cipher, context=ID_CTX)
    # a ciphertext cannot be moved to another column (context is bound in)
    with override_settings(LIANXIN_FIELD_KEYS=f"{NEW},{old_spec}"), pytest.raises(InvalidTag):
        crypto.decrypt(p.id_cipher, context="person.mobile")
