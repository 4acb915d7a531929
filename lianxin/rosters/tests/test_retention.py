"""Uploaded rosters hold full ID numbers in the clear: they are deleted once their job ended 30 days ago."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lianxin.core.errors import ServiceError
from lianxin.core.testing import id_number, mobile
from lianxin.rosters import services
from lianxin.rosters.models import ImportJob

from .helpers import check, run, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

ROWS = [["姓名", "身份证号", "手机号码"], ["甲", id_number(), mobile()], ["乙", "123", mobile()]]


def test_files_of_jobs_ended_long_ago_are_removed_and_the_rest_kept(district, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    admin = district.users["street_a.admin"]
    old_done = run(check(district.base_a1, xlsx_bytes(ROWS), actor=admin), actor=admin)
    recent_done = run(check(district.base_a1, xlsx_bytes(ROWS), actor=admin), actor=admin)
    old_unimported = check(district.base_a1, xlsx_bytes(ROWS), actor=admin)
    running = check(district.base_a1, xlsx_bytes(ROWS), actor=admin)
    dead = check(district.base_a1, xlsx_bytes(ROWS), actor=admin)
    long_ago = timezone.now() - dt.timedelta(days=31)
    ImportJob.objects.filter(pk=dead.pk).update(status="importing", created_at=long_ago, heartbeat_at=long_ago)
    ImportJob.objects.filter(pk=old_done.pk).update(finished_at=long_ago)
    ImportJob.objects.filter(pk=old_unimported.pk).update(created_at=long_ago)
    ImportJob.objects.filter(pk=running.pk).update(status="importing", created_at=long_ago)
    files = {j.pk: services.job_file(j) for j in (old_done, recent_done, old_unimported, running, dead)}
    assert all(f.exists() for f in files.values())

    call_command("rosters_cleanup")

    assert not files[old_done.pk].exists() and not files[old_unimported.pk].exists()
    assert not files[dead.pk].exists()  # a worker that stopped reporting a month ago
    assert files[recent_done.pk].exists() and files[running.pk].exists()
    old_done.refresh_from_db()
    assert old_done.stored_name == "" and old_done.added == 1 and old_done.problems  # the record stays
    with pytest.raises(ServiceError, match="原始文件已清理"):
        services.error_report(actor=admin, job=old_done)
    services.error_report(actor=admin, job=recent_done).close()
    assert services.remove_old_files() == 0  # nothing left to do


def test_importing_a_checked_file_after_its_upload_was_removed_says_upload_again(district, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    admin = district.users["street_a.admin"]
    job = check(district.base_a1, xlsx_bytes(ROWS[:2]), actor=admin)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert services.remove_old_files() == 1
    job = run(job, actor=admin)
    assert job.status == "failed" and "请重新上传" in job.message
