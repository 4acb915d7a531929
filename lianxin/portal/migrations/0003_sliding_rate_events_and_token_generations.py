# Rate limits move from fixed-window counters (RateBucket) to a sliding log of events (RateEvent), and member
# API tokens get a revocable generation per user (MemberTokenGeneration).
# Counters of the last hour are carried over as that many events stamped at their window's start, so limits
# and sign-in locks in force at the upgrade stay in force (at worst ending up to one window early).

import datetime as dt

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def carry_over(apps, schema_editor):
    RateBucket = apps.get_model("portal", "RateBucket")
    RateEvent = apps.get_model("portal", "RateEvent")
    since = django.utils.timezone.now() - dt.timedelta(hours=1)
    events = [RateEvent(key=b.key, at=b.window)
              for b in RateBucket.objects.filter(window__gte=since, count__gt=0) for _ in range(min(b.count, 100))]
    RateEvent.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('portal', '0002_delete_datacorrection'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberTokenGeneration',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='member_token_generation', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('generation', models.PositiveIntegerField(default=0)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='RateEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=100)),
                ('at', models.DateTimeField()),
            ],
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='ratebucket',
            name='ratebucket_window',
        ),
        migrations.RemoveConstraint(
            model_name='ratebucket',
            name='ratebucket_key_window',
        ),
        migrations.DeleteModel(
            name='RateBucket',
        ),
        migrations.AddIndex(
            model_name='rateevent',
            index=models.Index(fields=['key', 'at'], name='rateevent_key_at'),
        ),
        migrations.AddIndex(
            model_name='rateevent',
            index=models.Index(fields=['at'], name='rateevent_at'),
        ),
    ]
