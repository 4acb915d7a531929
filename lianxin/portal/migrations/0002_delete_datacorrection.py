# Data correction requests move onto the workflow engine (programme ``profile_correction``, DESIGN rule 6).
# Requests still pending are carried over as submitted applications first, so no member's request is lost;
# decided ones stay in the audit log (correction.approve/reject, person.update) and are dropped with the table.

import datetime as dt
from collections import defaultdict

from django.db import migrations
from django.db.models import F
from django.utils import timezone

PROGRAMME = "profile_correction"
LEVEL = "所在工会审核"  # workflow.programmes.ProfileCorrection.levels[0]
LABELS = {"name": "姓名", "mobile": "手机号码", "employer_name": "工作单位名称", "job": "岗位/职务",
          "education": "学历", "political_status": "政治面貌", "ethnicity": "民族"}
MAX_LEN = {"name": 50, "employer_name": 150, "job": 60, "ethnicity": 20}
STEP = 4  # orgs.models.STEP: characters per level of the materialised path


def _number(Counter, today) -> str:
    Counter.objects.get_or_create(name="workflow_application")
    Counter.objects.filter(name="workflow_application").update(value=F("value") + 1)
    return f"SQ{today:%Y}{Counter.objects.get(name='workflow_application').value:07d}"


def _nearest_staffed(Organization, StaffRole, org):
    prefixes = [org.path[:i] for i in range(STEP, len(org.path) + 1, STEP)]
    chain = list(Organization.objects.filter(path__in=prefixes).order_by("-depth"))
    staffed = set(StaffRole.objects.filter(organization__in=chain, active=True, role__in=("admin", "reviewer"))
                  .values_list("organization_id", flat=True))
    return next((o for o in chain if o.pk in staffed), org)


def carry_over(apps, schema_editor):
    DataCorrection = apps.get_model("portal", "DataCorrection")
    pending = list(DataCorrection.objects.filter(status="pending").select_related("person", "person__org")
                   .order_by("person_id", "id"))
    if not pending:
        return
    from lianxin.core import crypto

    Application = apps.get_model("workflow", "Application")
    Step = apps.get_model("workflow", "Step")
    Counter = apps.get_model("core", "Counter")
    Organization = apps.get_model("orgs", "Organization")
    StaffRole = apps.get_model("accounts", "StaffRole")
    by_person = defaultdict(list)
    for c in pending:
        by_person[c.person_id].append(c)
    now, today = timezone.now(), timezone.localdate()
    for rows in by_person.values():
        person = rows[0].person
        form = {k: None for k in LABELS} | {"reason": None}
        sealed = {}
        for c in rows:
            if c.field == "mobile":
                plain = crypto.decrypt(c.requested_cipher, context="portal.correction.mobile")
                sealed["mobile"] = crypto.encrypt(plain, context="workflow.form.mobile")
                form["mobile"] = c.requested_display  # already the mask
            else:
                form[c.field] = c.requested_display[:MAX_LEN.get(c.field, 100)]
        form["reason"] = "；".join(c.reason for c in rows if c.reason)[:300] or None
        asked = "、".join(LABELS[k] for k in LABELS if form[k])
        app = Application.objects.create(
            number=_number(Counter, today), programme=PROGRAMME, applicant_id=rows[-1].user_id,
            person_id=person.pk, subject_key=f"p{person.pk}", org_id=person.org_id,
            title=f"{person.name} 申请更正{asked}"[:200], form=form, sealed=sealed, state="submitted",
            submitted_at=min(c.created_at for c in rows), result={"from_portal": [c.pk for c in rows]})
        Step.objects.create(application=app, seq=0, level=LEVEL, org_id=person.org_id,
                            assigned_to=_nearest_staffed(Organization, StaffRole, person.org),
                            due_at=now + dt.timedelta(days=5))


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
        ('workflow', '0002_step_assigned_to'),
        ('core', '0002_notifications'),
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='datacorrection',
            name='correction_one_pending_per_field',
        ),
        migrations.DeleteModel(
            name='DataCorrection',
        ),
    ]
