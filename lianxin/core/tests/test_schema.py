"""The database holds every constraint and index the models declare.

Data rules live in the database (DESIGN): a constraint that a migration silently lost is a rule no longer kept.
This happened once: ``members`` 0002 altered ``Membership.member_no`` from ``db_index=True`` to a plain column,
and Django's schema editor, dropping the column's old index, also dropped every other single-column btree index
on it that is not in ``Meta.indexes`` — including the partial unique index of the constraint
``membership_member_no_live_unique``, so PostgreSQL no longer refused two live memberships with one number
(SQLite rebuilds the table from the model state and kept it). ``members`` 0004 restores it; this test compares
every model's declared constraints and indexes with the database's own catalogue, on both databases.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from lianxin.core.testing import make_person
from lianxin.members.models import Membership, MembershipStatus

pytestmark = [pytest.mark.pg, pytest.mark.django_db]


def test_every_declared_constraint_and_index_exists():
    missing = []
    with connection.cursor() as c:
        for model in apps.get_models():
            if not model.__module__.startswith("lianxin.") or model._meta.proxy or not model._meta.managed:
                continue
            present = connection.introspection.get_constraints(c, model._meta.db_table)
            for item in (*model._meta.constraints, *model._meta.indexes):
                if item.name not in present:
                    missing.append(f"{model._meta.label}.{item.name}")
    assert missing == []


def test_two_live_memberships_cannot_share_a_number(district):
    a = make_person(district.base_a1, name="甲")
    b = make_person(district.base_a1, name="乙")
    Membership.objects.create(person=a, union=district.base_a1, status=MembershipStatus.MEMBER, member_no="LX-DUP",
                              joined_on=dt.date(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=b, union=district.base_a1, status=MembershipStatus.MEMBER,
                                  member_no="LX-DUP", joined_on=dt.date(2024, 1, 1))
