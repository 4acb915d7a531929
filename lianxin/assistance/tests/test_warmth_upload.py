"""上传慰问名单: the template, every row refused as a single proposal would be, the whole file or nothing,
the same file twice, scope without revealing membership, and an upload racing a single proposal on PostgreSQL."""

import io
import os
import tempfile
import zipfile

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.assistance import services
from lianxin.assistance import services_warmth as warmth
from lianxin.assistance.models import Recipient
from lianxin.core.excel import open_table, write_xlsx
from lianxin.core.models import AuditEntry as AuditLog
from lianxin.core.testing import ROOT, id_number, race
from lianxin.members import services as members

from .helpers import campaign

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def person(union, name):
    number = id_number()
    p = members.create_person(actor=ROOT, org=union, name=name, id_number=number)
    members.admit_member(actor=ROOT, person=p, union=union)
    return p, number


def xlsx(rows, header=warmth.HEADER, name="名单.xlsx"):
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    write_xlsx(path, header, [[warmth.INSTRUCTIONS], *rows])
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return SimpleUploadedFile(name, data)


def url(c, tail=""):
    return f"/console/assistance/campaigns/{c.pk}/{tail}"


@pytest.fixture
def camp(district):
    d = district
    d.c = campaign(d)
    d.a, d.a_no = person(d.base_a1, "赵一")
    d.a2, d.a2_no = person(d.base_a1, "孙三")
    d.b, d.b_no = person(d.base_b1, "钱二")
    return d


def preview(client, d, rows, who="base_a1.admin"):
    client.force_login(d.users[who])
    return client.post(url(d.c, "upload/"), {"file": rows if isinstance(rows, SimpleUploadedFile) else xlsx(rows)})


def confirm(client, resp, **extra):
    ctx = resp.context
    return client.post(url(ctx["c"], "upload/confirm/"), {"token": ctx["token"], "plan": ctx["plan"], **extra})


def last_message(resp):
    return [m.message for m in resp.wsgi_request._messages][-1]


def test_template_round_trip(camp, client):
    d = camp
    client.force_login(d.users["base_a1.admin"])
    resp = client.get(url(d.c, "upload/template.xlsx"))
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    sheet = zipfile.ZipFile(io.BytesIO(resp.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "dataValidation" in sheet and "困难职工" in sheet and "劳动模范" in sheet  # the category drop-down
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.write(fd, resp.content)
    os.close(fd)
    rows = list(open_table(path, "xlsx").rows)
    os.unlink(path)
    assert rows[0][:5] == warmth.HEADER and rows[1][0].startswith("填表说明")
    # the empty template is read (header found, instructions row skipped) and has nobody in it
    r = preview(client, d, SimpleUploadedFile("模板.xlsx", resp.content))
    assert r.status_code == 302
    assert "文件里没有慰问对象" in [m.message for m in r.wsgi_request._messages][0]
    # filled in the template's shape (header, instructions row, then people): previewed and applied
    r = preview(client, d, [[d.a_no, "赵一", "劳动模范", "市级劳动模范春节慰问", ""],
                            [d.a2_no, "孙三", "患病职工", "大病住院", "800"]])
    assert r.status_code == 200 and r.context["bad"] == 0 and r.context["ok"] == 2
    assert 'id="upload-confirm"' in r.content.decode()
    done = confirm(client, r)
    assert done.status_code == 302
    got = {x.person_id: (x.category, x.amount_fen, x.union_id, x.status)
           for x in Recipient.objects.filter(campaign=d.c)}
    assert got == {d.a.pk: ("model", 50000, d.base_a1.pk, "proposed"), d.a2.pk: ("sick", 80000, d.base_a1.pk, "proposed")}
    log = AuditLog.objects.get(action="assistance.warmth_upload")
    assert log.detail["count"] == 2 and log.detail["amount"] == "1,300.00"


def test_header_variants_and_csv(camp, client):
    d = camp
    body = f"身份证号码,职工姓名,类别,事由,慰问金\n{d.a_no},赵一,一线职工,春节坚守岗位,\n".encode("gbk")
    r = preview(client, d, SimpleUploadedFile("名单.csv", body))
    assert r.status_code == 200 and r.context["ok"] == 1 and r.context["bad"] == 0


def test_an_xls_workbook_and_a_gbk_csv_are_read(camp, client):
    """Old Excel (.xls, BIFF) and a CSV saved by Excel on a Chinese Windows (GBK): identified by content, the
    Chinese names and labels read as typed (a wrong decoding would fail the name check)."""
    from lianxin.rosters.tests.helpers import csv_bytes, xls_bytes

    d = camp
    r = preview(client, d, SimpleUploadedFile("名单.xls", xls_bytes([
        warmth.HEADER, [warmth.INSTRUCTIONS], [d.a_no, "赵一", "劳动模范", "市级劳动模范春节慰问", ""],
        [d.a2_no, "孙三", "患病职工", "大病住院", 800]])))
    assert r.status_code == 200, [m.message for m in r.wsgi_request._messages]
    assert signing.loads(r.context["token"], salt=warmth.TOKEN_SALT)["k"] == "xls"
    assert [(x.row_no, x.name, x.error) for x in r.context["rows"]] == [(3, "赵一", ""), (4, "孙三", "")]
    assert confirm(client, r).status_code == 302
    got = dict(Recipient.objects.filter(campaign=d.c).values_list("person_id", "amount_fen"))
    assert got == {d.a.pk: 50000, d.a2.pk: 80000}

    body = csv_bytes([["身份证号", "姓名", "慰问类别", "慰问事由", "慰问金额"],
                      [d.b_no, "钱二", "一线职工", "春节坚守岗位", "300"]], encoding="gbk")
    assert "钱二".encode("gbk") in body and "钱二".encode() not in body
    r = preview(client, d, SimpleUploadedFile("名单.csv", body), who="street_b.admin")
    assert r.status_code == 200 and signing.loads(r.context["token"], salt=warmth.TOKEN_SALT)["k"] == "csv"
    row = r.context["rows"][0]
    assert (row.name, row.category, row.reason, row.error, row.fen) == ("钱二", "一线职工", "春节坚守岗位", "", 30000)


def test_names_are_compared_as_written_not_as_spaced(camp, client):
    """Lists pad and paste names: 「张 三」, full-width and trailing spaces, full-width letters, invisible marks.
    The name is compared after NFKC with every space inside a Chinese name dropped — and a different name, however
    close, is still refused."""
    d = camp
    same = [("张三", "张 三"), ("李四", "　李　四　"), ("王五", "王五 \u200b"), ("刘Ａ", "刘A"),
            ("Anna Li", "Ａｎｎａ　 Ｌｉ"), ("艾力·买买提", "艾力 · 买买提")]
    other = [("陈七", "陈八"), ("杨九", "杨九九"), ("林十", "林"), ("吴六", "吳六"), ("Anna Li", "Ann Ali")]
    rows, people = [], []
    for stored, typed in same + other:
        p, number = person(d.base_a1, stored)
        people.append(p)
        rows.append([number, typed, "其他", "春节慰问", ""])
    r = preview(client, d, rows)
    assert r.status_code == 200
    errors = [x.error for x in r.context["rows"]]
    assert errors[:len(same)] == [""] * len(same)
    assert errors[len(same):] == ["姓名与身份证号不符"] * len(other)
    assert "\u200b" not in r.content.decode()  # the invisible mark is not echoed back either
    for n in (warmth.name_key("张 三"), warmth.name_key("　张三　")):
        assert n == "张三"
    assert warmth.name_key("Anna\u3000\u3000Li ") == "Anna Li"
    # only the matching rows may be uploaded, and they are: the person linked, not the typed spelling
    r = preview(client, d, rows[:len(same)])
    assert r.context["bad"] == 0
    confirm(client, r)
    assert set(Recipient.objects.filter(campaign=d.c).values_list("person_id", flat=True)) == {
        p.pk for p in people[:len(same)]}


def test_each_row_refusal_in_chinese_and_nothing_written(camp, client):
    d = camp
    services.propose_recipient(actor=d.users["base_a1.admin"], campaign=d.c, person=d.a2, category="frontline",
                               reason="春节坚守岗位")
    gone, gone_no = person(d.base_a1, "周五")
    m = gone.memberships.get()
    members.end_membership(actor=ROOT, membership=m, reason="调离")
    rows = [[d.a_no, "赵一", "劳动模范", "市级劳动模范", ""],        # 3: fine
            ["330106199001011234x", "某人", "其他", "事由", ""],    # 4: a bad ID
            [d.a_no, "赵一", "其他", "重复一行", ""],                # 5: same person twice
            [gone_no, "周五", "其他", "已调离", ""],                 # 6: not a live member
            [id_number(), "路人", "其他", "查无此人", ""],          # 7: nobody of that ID
            [d.b_no, "钱二", "其他", "别的街道", ""],                # 8: another street's member
            [d.a2_no, "孙三", "其他", "已报送", ""]]                 # 9: already listed
    p6, n6 = person(d.base_a1, "吴六")
    p7, n7 = person(d.base_a1, "郑七")
    p8, n8 = person(d.base_a1, "王八")
    p9, n9 = person(d.base_a1, "冯九")
    rows += [[n6, "吴陆", "其他", "姓名不符", ""],                  # 10: name does not match the ID's person
             [n7, "郑七", "不知道", "类别不对", ""],                # 11: no such category
             [n8, "王八", "其他", "事", ""],                         # 12: reason too short
             [n9, "冯九", "其他", "超过最高", "5000"]]               # 13: above the maximum
    r = preview(client, d, rows)
    assert r.status_code == 200
    errors = {row.row_no: row.error for row in r.context["rows"]}
    assert errors[3] == ""
    assert "身份证号" in errors[4]
    assert errors[5] == "与第 3 行是同一人"
    assert "不是在册会员" in errors[6]
    assert errors[7] == "路人不在您的管理范围内"
    assert errors[8] == "钱二不在您的管理范围内"  # the same words as for nobody: membership is not revealed
    assert "已在本次慰问名单中" in errors[9]
    assert errors[10] == "姓名与身份证号不符"
    assert "慰问类别应为" in errors[11]
    assert "2 至 200" in errors[12]
    assert "不能超过每人最高" in errors[13]
    page = r.content.decode()
    assert 'id="upload-refused"' in page and 'id="upload-errors"' in page and "下载错误报告（10 行）" in page
    assert "只报送无误的 1 人" in page and 'name="mode" value="valid"' in page  # the one good row may go alone
    assert not Recipient.objects.filter(campaign=d.c).exclude(person=d.a2).exists()
    # a forged confirmation writes nothing: a made-up token, or the whole file although rows are bad
    resp = client.post(url(d.c, "upload/confirm/"), {"token": "x", "plan": r.context["plan"]})
    assert resp.status_code == 302 and Recipient.objects.filter(campaign=d.c).count() == 1
    resp = confirm(client, r, mode="all")
    assert "10 行有问题，未写入任何记录" in last_message(resp)
    assert resp.status_code == 302 and Recipient.objects.filter(campaign=d.c).count() == 1


def test_not_a_spreadsheet_and_oversized_files_are_refused(camp, client, monkeypatch):
    d = camp
    r = preview(client, d, SimpleUploadedFile("名单.xlsx", b"%PDF-1.4 not a sheet\x00\x01\x02" * 50))
    assert r.status_code == 302
    msgs = [m.message for m in r.wsgi_request._messages]
    assert msgs[-1] == "上传失败：文件内容是 PDF，不是 Excel 或 CSV 表格"
    kept = set(warmth.storage_dir().iterdir())
    monkeypatch.setattr(warmth, "MAX_UPLOAD_BYTES", 10)
    r = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""]])
    assert "文件过大" in [m.message for m in r.wsgi_request._messages][-1]
    r = preview(client, d, SimpleUploadedFile("空.csv", b""))
    assert "文件是空的" in [m.message for m in r.wsgi_request._messages][-1]
    assert not Recipient.objects.exists() and set(warmth.storage_dir().iterdir()) == kept  # nothing kept


def test_all_or_nothing_when_a_row_went_bad_after_the_preview(camp, client):
    d = camp
    r = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""], [d.a2_no, "孙三", "其他", "春节慰问", ""]])
    assert r.context["bad"] == 0
    services.propose_recipient(actor=d.users["street_a.admin"], campaign=d.c, person=d.a2, category="frontline",
                               reason="春节坚守岗位")  # listed by someone else between preview and confirm
    resp = confirm(client, r)
    msg = [m.message for m in resp.wsgi_request._messages][-1]
    assert "未写入任何记录" in msg and "第 4 行" in msg
    assert list(Recipient.objects.filter(campaign=d.c).values_list("person_id", flat=True)) == [d.a2.pk]
    assert not AuditLog.objects.filter(action="assistance.warmth_upload").exists()
    again = confirm(client, r)  # the refused file was discarded: a second try is told to upload again
    assert "已过期或无效" in [m.message for m in again.wsgi_request._messages][-1]
    assert Recipient.objects.filter(campaign=d.c).count() == 1


def test_the_same_file_twice_is_refused_as_already_listed(camp, client, django_capture_on_commit_callbacks):
    d = camp
    rows = [[d.a_no, "赵一", "其他", "春节慰问", ""]]
    first = preview(client, d, rows)
    with django_capture_on_commit_callbacks(execute=True):  # the stored file is discarded once committed
        assert confirm(client, first).status_code == 302
    assert not (warmth.storage_dir() / signing.loads(first.context["token"], salt=warmth.TOKEN_SALT)["f"]).exists()
    twice = confirm(client, first)  # a second click on the same confirmation writes nothing
    assert "已过期或无效" in [m.message for m in twice.wsgi_request._messages][-1]
    r = preview(client, d, rows)
    assert r.context["bad"] == 1 and "已在本次慰问名单中" in r.context["rows"][0].error
    assert Recipient.objects.filter(campaign=d.c).count() == 1
    assert AuditLog.objects.filter(action="assistance.warmth_upload").count() == 1


def test_scope_pages(camp, client):
    d = camp
    client.force_login(d.users["base_a1.viewer"])  # sees the campaign but may not propose
    assert client.get(url(d.c, "upload/template.xlsx")).status_code == 403
    assert client.post(url(d.c, "upload/"), {"file": xlsx([[d.a_no, "赵一", "其他", "春节慰问", ""]])}).status_code == 403
    client.force_login(d.users["base_a1.admin"])
    page = client.get(url(d.c)).content.decode()
    assert 'id="warmth-upload"' in page and "upload/template.xlsx" in page
    assert client.get(url(d.c, "upload/")).status_code == 302
    # a token is bound to its user: another administrator cannot confirm it
    r = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""]])
    client.force_login(d.users["street_a.admin"])
    resp = client.post(url(d.c, "upload/confirm/"), {"token": r.context["token"], "plan": r.context["plan"]})
    assert "已过期或无效" in [m.message for m in resp.wsgi_request._messages][-1]
    assert not Recipient.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_upload_racing_a_single_proposal_never_lists_a_person_twice(camp):
    d = camp
    actor = d.users["base_a1.admin"]
    upload = xlsx([[d.a_no, "赵一", "其他", "春节慰问", ""], [d.a2_no, "孙三", "其他", "春节慰问", ""]])
    data = warmth.open_token(actor=actor, campaign=d.c,
                             token=warmth.store_upload(actor=actor, campaign=d.c, upload=upload))
    rows = warmth.check_upload(actor=actor, campaign=d.c, data=data)
    assert not any(r.error for r in rows)
    results = race([
        lambda: warmth.apply_upload(actor=actor, campaign=d.c, data=data, plan=warmth.plan_of(rows)) and "uploaded",
        lambda: services.propose_recipient(actor=d.users["street_a.admin"], campaign=d.c, person=d.a2,
                                           category="frontline", reason="春节坚守岗位") and "proposed"])
    assert Recipient.objects.filter(campaign=d.c, person=d.a2).count() == 1
    listed = set(Recipient.objects.filter(campaign=d.c).values_list("person_id", flat=True))
    if "uploaded" in results:  # the upload went first: the single proposal found the person listed
        assert sorted(results) == ["duplicate", "uploaded"] and listed == {d.a.pk, d.a2.pk}
    else:  # the proposal went first: the upload re-checked, wrote nothing
        assert sorted(results) == ["changed", "proposed"] and listed == {d.a2.pk}


def test_after_the_deadline_the_whole_file_is_refused(camp, client):
    import datetime as dt

    from django.utils import timezone

    from lianxin.assistance.models import Campaign

    d = camp
    Campaign.objects.filter(pk=d.c.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    r = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""]])
    assert r.status_code == 302 and "截止" in [m.message for m in r.wsgi_request._messages][-1]
    assert not Recipient.objects.exists()


def report_rows(resp):
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.write(fd, b"".join(resp.streaming_content))
    os.close(fd)
    try:
        return list(open_table(path, "xlsx").rows)
    finally:
        os.unlink(path)


def test_error_report_then_the_valid_rows_then_the_corrected_report(camp, client):
    """The preview's rows with problems come back as written with 错误说明; the good row goes alone (the others
    skipped, audited with the count); the report, corrected, is uploaded as it is and lists the rest."""
    d = camp
    p4, n4 = person(d.base_a1, "吴六")
    r = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""],          # 3: fine
                            [d.a2_no, "孙叁", "其他", "春节慰问", "600"],      # 4: misspelt name
                            [n4, "吴六", "不知道", "春节慰问", ""]])           # 5: no such category
    assert (r.context["ok"], r.context["bad"]) == (1, 2)
    report = client.post(url(d.c, "upload/errors.xlsx"), {"token": r.context["token"]})
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    assert "%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A.xlsx" in report["Content-Disposition"]  # 名单-错误报告.xlsx
    rows = report_rows(report)
    assert rows[0] == ["原行号", *warmth.HEADER, "错误说明"]
    assert rows[1][:6] == [4, d.a2_no, "孙叁", "其他", "春节慰问", "600"] and rows[1][6] == "姓名与身份证号不符"
    assert rows[2][:3] == [5, n4, "吴六"] and "慰问类别应为" in rows[2][6] and len(rows) == 3
    log = AuditLog.objects.get(action="assistance.warmth_error_report")
    assert log.actor == d.users["base_a1.admin"] and log.detail["rows"] == 2 and log.detail["file"] == "名单.xlsx"
    assert not Recipient.objects.exists()  # the report writes nothing

    done = confirm(client, r, mode="valid")
    assert done.status_code == 302
    assert last_message(done) == ("已上传慰问名单 1 人，慰问金合计 500.00 元，待审核；"
                                  "跳过有问题的 2 行，请按错误报告修改后另行上传")
    assert list(Recipient.objects.values_list("person_id", flat=True)) == [d.a.pk]
    log = AuditLog.objects.get(action="assistance.warmth_upload")
    assert log.detail["count"] == 1 and log.detail["skipped"] == 2

    fixed = [[c if c != "孙叁" else "孙三" for c in rows[1][:7]], [*rows[2][:3], "困难职工", *rows[2][4:7]]]
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    write_xlsx(path, rows[0], fixed)  # the report's own header: 原行号 and 错误说明 are ignored
    with open(path, "rb") as f:
        again = preview(client, d, SimpleUploadedFile("名单-错误报告.xlsx", f.read()))
    os.unlink(path)
    assert (again.context["ok"], again.context["bad"]) == (2, 0)
    assert confirm(client, again).status_code == 302
    got = dict(Recipient.objects.values_list("person_id", "amount_fen"))
    assert got == {d.a.pk: 50000, d.a2.pk: 60000, p4.pk: 50000}


def test_the_valid_rows_are_written_only_as_previewed(camp, client):
    """If a row changed between the preview and "只报送无误的行" — a good row listed by someone else, or a bad
    row now good — nothing is written; a list with no good row offers no confirmation at all."""
    d = camp
    r = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""], [d.a2_no, "孙三", "其他", "春节慰问", ""],
                            [id_number(), "路人", "其他", "春节慰问", ""]])
    assert (r.context["ok"], r.context["bad"]) == (2, 1)
    services.propose_recipient(actor=d.users["street_a.admin"], campaign=d.c, person=d.a2, category="frontline",
                               reason="春节坚守岗位")
    resp = confirm(client, r, mode="valid")
    assert "预览之后情况有变化，未写入任何记录" in last_message(resp) and "第 4 行" in last_message(resp)
    assert list(Recipient.objects.values_list("person_id", flat=True)) == [d.a2.pk]
    assert not AuditLog.objects.filter(action="assistance.warmth_upload").exists()

    none = preview(client, d, [[id_number(), "路人", "其他", "春节慰问", ""]])
    page = none.content.decode()
    assert none.context["ok"] == 0 and 'id="upload-confirm"' not in page and 'id="upload-errors"' in page
    resp = confirm(client, none, mode="valid")
    assert "没有可报送的行" in last_message(resp) and Recipient.objects.count() == 1


def test_error_report_is_the_uploaders_alone(camp, client):
    d = camp
    r = preview(client, d, [[id_number(), "路人", "其他", "春节慰问", ""]])
    token = r.context["token"]
    client.force_login(d.users["street_a.admin"])  # may propose, but the token is not theirs
    resp = client.post(url(d.c, "upload/errors.xlsx"), {"token": token})
    assert resp.status_code == 302 and "已过期或无效" in last_message(resp)
    client.force_login(d.users["base_a1.viewer"])
    assert client.post(url(d.c, "upload/errors.xlsx"), {"token": token}).status_code == 403
    client.force_login(d.users["base_a1.admin"])
    assert client.get(url(d.c, "upload/errors.xlsx")).status_code == 405
    clean = preview(client, d, [[d.a_no, "赵一", "其他", "春节慰问", ""]])
    resp = client.post(url(d.c, "upload/errors.xlsx"), {"token": clean.context["token"]})
    assert resp.status_code == 302 and "无需下载错误报告" in last_message(resp)
    assert not AuditLog.objects.filter(action="assistance.warmth_error_report").exists()
