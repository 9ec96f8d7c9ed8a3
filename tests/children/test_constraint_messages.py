"""No database constraint's name reaches a user (issue 18, item 6): the form normalises first, and a
constraint that still fires is said in Chinese. Run on PostgreSQL too: its message is what the issue saw."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from children.models import Child
from dingzhou_welfare.constraints import ConstraintErrorMiddleware

from ..factories import ChildFactory, child_form_data

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


def test_full_width_digits_in_an_id_number_are_saved_as_ascii(client, caseworker_a, township_a, village_a):
    client.force_login(caseworker_a)
    typed = "130682201501010010".translate(FULL_WIDTH)
    response = client.post(reverse("children:create"), child_form_data(township_a, village_a, id_number=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Child.objects.get().id_number == "130682201501010010"


def test_a_full_width_x_is_an_x(client, caseworker_a, township_a, village_a):
    from children.idnumbers import normalize_id_number

    assert normalize_id_number(" １３０６８２２０１５０１０１００１ｘ ") == "13068220150101001X"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_model_validation_does_not_name_the_constraint(township_a, village_a, language):
    child = ChildFactory.build(township=township_a, village=village_a, id_number="13068220150101001A")
    with translation.override(language), pytest.raises(ValidationError) as refused:
        child.validate_constraints()
    text = " ".join(refused.value.messages)
    assert "child_id_number_shape" not in text
    assert ("保存的内容不符合数据规则" if language == "zh-hans" else "breaks one of the data rules") in text


def test_a_constraint_that_fires_in_the_database_is_said_in_chinese(rf: RequestFactory, caseworker_a, township_a):
    child = ChildFactory(township=township_a)
    with pytest.raises(IntegrityError) as fired, transaction.atomic():
        Child.objects.filter(pk=child.pk).update(id_number="1306822015010100１０")
    request = rf.post("/children/new/")
    request.user = caseworker_a
    response = ConstraintErrorMiddleware(lambda r: None).process_exception(request, fired.value)
    assert response.status_code == 400
    text = response.content.decode()
    assert "身份证号应为18位：前17位为数字，最后一位为数字或X。" in text
    assert "child_id_number_shape" not in text
