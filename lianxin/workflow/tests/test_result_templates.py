"""Every programme says what its approval did, on the applicant's pages and on the reviewer's, through its own
``workflow/results/<code>.html`` — not through a list of programme codes in the shared page templates."""

from types import SimpleNamespace

import pytest
from django.template.loader import get_template, render_to_string

from lianxin.workflow.programmes import PROGRAMMES


@pytest.mark.parametrize("code", sorted(PROGRAMMES))
def test_each_programme_has_its_result_template(code):
    prog = PROGRAMMES[code]
    assert prog.result_templates[0] == f"workflow/results/{code}.html"
    get_template(prog.result_templates[0])  # raises TemplateDoesNotExist for a programme that forgot it


def test_the_sentence_depends_on_the_audience():
    app = SimpleNamespace(result={"amount": "800.00", "fund": "困难帮扶资金", "file": 7})
    tpl = PROGRAMMES["hardship"].result_templates
    staff = render_to_string(tpl, {"app": app, "audience": "staff"})
    applicant = render_to_string(tpl, {"app": app, "audience": "applicant", "surface": "m"})
    assert staff == ('批准帮扶救助金 800.00 元，困难帮扶资金列支（<a href="/console/assistance/files/7/">困难职工档案</a>）。')
    assert applicant == "批准帮扶救助金 <b>800.00</b> 元（困难帮扶资金列支），工会将与您联系发放。"
    # a result without an amount (an older record) says nothing rather than "批准帮扶救助金  元"
    assert render_to_string(tpl, {"app": SimpleNamespace(result={}), "audience": "staff"}) == ""


def test_a_programme_without_its_own_template_says_nothing_more():
    assert render_to_string(("workflow/results/no-such-programme.html", "workflow/results/none.html"),
                            {"app": SimpleNamespace(result={"x": 1})}) == ""
