"""工作台 待办: articles submitted for review that this reviewer may approve (the 待我审核的文章 page's query)."""

from lianxin.core.todos import Todo, todo

from . import selectors


@todo(order=20)
def articles(user):
    yield Todo("新闻与书屋", "待审核的文章", selectors.review_queue(user).count(), "/console/content/review/")
