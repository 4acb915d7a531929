import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.accounts.models import User
from lianxin.content import samples, services
from lianxin.core.testing import PASSWORD, make_person


@pytest.fixture
def member(district):
    person = make_person(district.base_a1, "王会员")
    return User.objects.create_user(username="member1", password=PASSWORD, person=person)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def publish(district, *, title="新闻", category="news", body="正文", org=None, author="base_a1.admin",
            reviewer="base_a1.reviewer"):
    d = district
    a = services.create_article(actor=d.users[author], org=org or d.base_a1, category=category, title=title,
                                body=body)
    services.submit_article(actor=d.users[author], article_id=a.pk)
    return services.publish_article(actor=d.users[reviewer], article_id=a.pk)


def pdf_book(district, title="劳动法读本"):
    return services.upload_book(actor=district.users["fed.admin"], org=district.fed, title=title,
                                upload=upload("x.pdf", samples.make_pdf(title, ["第一条 为了保护劳动者的合法权益。"])))


def epub_book(district, title="工匠故事", extra_html=""):
    data = samples.make_epub(title, [("第一章 起步", ["他在车间里工作了二十年。", "第二段"]),
                                     ("第二章 传承", ["徒弟们学会了。"])], extra_html=extra_html)
    return services.upload_book(actor=district.users["fed.admin"], org=district.fed, title=title,
                                upload=upload("x.epub", data))
