"""Two index savings for bulk writes (the roster import):

- ``Membership.union`` loses its own index: ``membership_union_status`` (union, status) serves every lookup
  by union, so the single-column index was maintained on every insert for nothing.
- On PostgreSQL the blind-index columns get the "C" collation: they hold hex digests and are only ever
  compared for equality, so byte order is right and much cheaper than the database locale's rules. (SQLite
  compares bytes already; Django's model state is unchanged, since ``db_collation="C"`` is not valid there.)
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ("id_bidx", "mobile_bidx")


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE members_person ALTER COLUMN {column} TYPE varchar(64) COLLATE "C"')


def collate_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE members_person ALTER COLUMN {column} TYPE varchar(64) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_blind_index_plain_indexes"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="union",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="memberships", to="orgs.organization", verbose_name="基层工会"),
        ),
        migrations.RunPython(collate_c, collate_default, elidable=False),
    ]
