"""``manage.py rotate_field_keys`` re-seals every ciphertext the platform stores, so the old key can be dropped
without losing anything: people's ID numbers and mobiles, the personal fields kept in applications, staff
reminder numbers (set and waiting for their code) and the outbox's recipients. The list of encrypted columns
is read off the models, so a new one that the command does not rotate fails here."""

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from lianxin.accounts import services as accounts
from lianxin.accounts.testing import opt_in
from lianxin.core import crypto
from lianxin.core.models import AuditEntry, Notification
from lianxin.core.testing import make_person, mobile
from lianxin.members.models import Person
from lianxin.members.services import ID_CTX
from lianxin.workflow import services as workflow
from lianxin.workflow.models import Application
from lianxin.workflow.tests.helpers import join_data, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

NEW = "t2:" + "C" * 43

# every column that holds ciphertext, as (model label, field): a new one must be added to the command's steps
ENCRYPTED = {("members.Person", "id_cipher"), ("members.Person", "mobile_cipher"),
             ("workflow.Application", "sealed"), ("accounts.StaffContact", "mobile_cipher"),
             ("accounts.ContactCode", "mobile_cipher"), ("core.Notification", "recipient_cipher"),
             ("care.Enrolment", "child_id_cipher"), ("care.Enrolment", "guardian_mobile_cipher")}


def encrypted_columns():
    return {(m._meta.label, f.name) for m in apps.get_models() for f in m._meta.concrete_fields
            if f.name.endswith("_cipher") or (m._meta.label, f.name) == ("workflow.Application", "sealed")}


def ciphertexts(label, field):
    for value in apps.get_model(label).objects.values_list(field, flat=True):
        if isinstance(value, dict):
            yield from value.values()
        elif value:
            yield value


def test_the_list_of_encrypted_columns_is_complete():
    assert encrypted_columns() == ENCRYPTED


def test_rotation_reseals_every_encrypted_column_and_everything_still_reads(district, settings):
    p = make_person(district.base_a1, "轮换", mobile_no="13900001234")
    number = crypto.decrypt(p.id_cipher, context=ID_CTX)
    app = workflow.create_application(actor=worker(), programme="join", data=join_data(district, n=7))
    sealed_before = workflow.unseal(app)
    staff = district.users["base_a1.reviewer"]
    opt_in(staff, "13900005678")
    accounts.request_contact_code(actor=staff, mobile="13900009999")  # a number still waiting for its code
    from lianxin.care import services as care
    from lianxin.care.testing import child_id, make_class, make_woman

    k = make_class(district.street_a)
    care.enrol_child(actor=make_woman(district.base_a1, "家长").user, class_id=k.pk, child_name="小明",
                     child_id=child_id(8, 1, on=k.starts_on), guardian_mobile="13957100001")
    for label, field in ENCRYPTED:
        assert any(True for _ in ciphertexts(label, field)), f"the test seals nothing in {label}.{field}"

    old_spec = settings.LIANXIN_FIELD_KEYS
    with override_settings(LIANXIN_FIELD_KEYS=f"{NEW},{old_spec}"):
        call_command("rotate_field_keys", verbosity=0)
        for label, field in ENCRYPTED:
            left = [c for c in ciphertexts(label, field) if crypto.key_id(c) != "t2"]
            assert left == [], f"{label}.{field} still has ciphertext under the old key"
        p = Person.objects.get(pk=p.pk)
        assert p.id_key == "t2" and crypto.decrypt(p.id_cipher, context=ID_CTX) == number
        assert workflow.unseal(Application.objects.get(pk=app.pk)) == sealed_before
        entry = AuditEntry.objects.filter(action="crypto.rotate").latest("pk")
        assert entry.detail["key"] == "t2" and entry.detail["people"] >= 2 and entry.detail["applications"] == 1
        # running it again finds nothing to do and writes no second entry
        call_command("rotate_field_keys", verbosity=0)
        assert AuditEntry.objects.filter(action="crypto.rotate").count() == 1
        assert Notification.objects.exclude(recipient_cipher="").exists()
    # the old key alone can no longer read it: rotation really happened
    with override_settings(LIANXIN_FIELD_KEYS=old_spec), pytest.raises(ImproperlyConfigured, match="t2"):
        crypto.decrypt(p.id_cipher, context=ID_CTX)
    # a ciphertext cannot be moved to another column (context is bound in)
    with override_settings(LIANXIN_FIELD_KEYS=f"{NEW},{old_spec}"), pytest.raises(InvalidTag):
        crypto.decrypt(p.id_cipher, context="person.mobile")


def test_rotation_works_in_small_batches(district, settings):
    for i in range(5):
        make_person(district.base_a1, f"批次{i}", mobile_no=mobile(100 + i))
    with override_settings(LIANXIN_FIELD_KEYS=f"{NEW},{settings.LIANXIN_FIELD_KEYS}"):
        call_command("rotate_field_keys", batch=2, verbosity=0)
        assert set(Person.objects.values_list("id_key", flat=True)) == {"t2"}
        assert not [c for c in ciphertexts("members.Person", "mobile_cipher") if crypto.key_id(c) != "t2"]
