"""A refused application form names every field at fault, each in Chinese and next to its box, so a person
fixes the whole form in one go; an empty required box says it must be filled in (not "填写不正确")."""

import pytest

from lianxin.core.errors import ServiceError
from lianxin.workflow.programmes import JoinForm, LegalForm, TransferForm, validate_form

from .helpers import member_user, worker


def test_an_empty_required_box_asks_to_be_filled_in():
    with pytest.raises(ServiceError) as e:
        validate_form(TransferForm, {"employer_id": "", "reason": "  "})
    assert (e.value.message, e.value.field) == ("转会原因不能为空", "reason")
    assert e.value.errors == {"reason": "转会原因不能为空"}


def test_every_field_at_fault_gets_its_own_message():
    with pytest.raises(ServiceError) as e:
        validate_form(LegalForm, {"union_id": "abc", "kind": "", "union_name": "工会", "address": "",
                                  "chairman": "张三", "funding": "", "approval_no": "钱工〔2026〕12号",
                                  "term_start": "2026-13-40", "term_end": ""})
    errors = e.value.errors
    assert errors == {"union_id": "申请工会应为整数", "kind": "登记类型不能为空", "union_name": "工会名称至少 4 个字符",
                      "address": "住所不能为空", "funding": "经费来源不能为空",
                      "term_start": "本届委员会任期自应为日期，如 2026-01-31", "term_end": "任期至不能为空"}
    assert (e.value.field, e.value.message) == ("union_id", "申请工会应为整数")  # the first, for one-line callers
    assert e.value.as_dict()["errors"] == errors  # what the API returns


@pytest.mark.django_db
def test_the_join_page_shows_each_message_next_to_its_field(district, client):
    client.force_login(worker())
    html = client.post("/m/join/", {"name": "", "id_number": "330106199001011235", "mobile": "",
                                    "action": "submit"}).content.decode()
    assert "姓名不能为空" in html and "手机号码不能为空" in html
    assert "身份证号校验位不正确" in html  # the ID's own checksum message, from its validator, in the same answer


@pytest.mark.django_db
def test_a_member_transfer_with_an_empty_reason(district, client):
    client.force_login(member_user(district, district.base_a1, employer=district.ent_a1))
    html = client.post("/m/apply/transfer/", {"employer_id": str(district.ent_b1.pk), "reason": "",
                                              "action": "submit"}).content.decode()
    assert "转会原因不能为空" in html and "转会原因填写不正确" not in html


def test_join_form_checks_every_box_it_can():
    with pytest.raises(ServiceError) as e:
        validate_form(JoinForm, {"name": "王", "id_number": "", "mobile": ""})
    assert e.value.errors == {"name": "姓名至少 2 个字符", "id_number": "身份证号不能为空", "mobile": "手机号码不能为空"}


@pytest.mark.django_db
def test_a_member_opening_the_join_form_is_offered_a_transfer_up_front(district, client):
    client.force_login(worker("notyet"))
    assert 'id="offer-transfer"' not in client.get("/m/join/").content.decode()
    client.force_login(member_user(district, district.base_a1))
    html = client.get("/m/join/").content.decode()
    assert 'id="offer-transfer"' in html and 'href="/m/apply/transfer/"' in html
