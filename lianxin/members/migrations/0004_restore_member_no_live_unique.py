"""Restore ``membership_member_no_live_unique`` where 0002 lost it.

0002 altered ``Membership.member_no`` from ``db_index=True`` to a plain column. Dropping the old index, Django's
schema editor drops every single-column btree index on the column that is not in ``Meta.indexes`` — on
PostgreSQL that included this constraint's partial unique index, so two live memberships could share a member
number. SQLite rebuilt the table from the model state and kept it. This migration adds the constraint back
wherever the database lacks it (a database where it survived is left alone);
``core/tests/test_schema.py`` checks every declared constraint and index against the database.
"""

from django.db import migrations

NAME = "membership_member_no_live_unique"


def restore(apps, schema_editor):
    model = apps.get_model("members", "Membership")
    connection = schema_editor.connection
    with connection.cursor() as c:
        present = connection.introspection.get_constraints(c, model._meta.db_table)
    if NAME not in present:
        constraint = next(x for x in model._meta.constraints if x.name == NAME)
        schema_editor.add_constraint(model, constraint)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_membership_union_index_blind_index_collation")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop, elidable=False)]
