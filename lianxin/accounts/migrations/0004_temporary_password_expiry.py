"""Temporary passwords expire: record when one was issued. Accounts already waiting to replace a temporary
password get the migration time as their issue time (their clock starts now rather than their password dying
at once), then the constraint makes every later temporary password carry its issue time."""

from django.db import migrations, models


def start_the_clock(apps, schema_editor):
    from django.utils import timezone

    User = apps.get_model("accounts", "User")
    User.objects.filter(must_change_password=True, temporary_password_issued_at__isnull=True).update(
        temporary_password_issued_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_must_change_password"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="temporary_password_issued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="临时密码发放时间"),
        ),
        migrations.RunPython(start_the_clock, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("must_change_password", False), ("temporary_password_issued_at__isnull", False),
                                   _connector="OR"),
                name="user_temporary_password_issued_at"),
        ),
    ]
