"""Moving townships and villages to dingzhou_welfare keeps every row, link and permission."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("dingzhou_welfare", "0003_staffprofile_scope_version"),
    ("children", "0004_agreement_scan_restrict"),
    ("subsidies", "0005_default_stacking_rules"),
    ("reports", "0002_batch_money"),
    ("visits", "0002_default_intervals"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_migrations_after")
def test_places_children_and_scopes_survive_the_move(django_user_model):
    old = migrate(BEFORE)
    Township, Village = old.get_model("children", "Township"), old.get_model("children", "Village")
    township = Township.objects.create(code="130682100", name="北城区街道", kind="subdistrict")
    village = Village.objects.create(township=township, name="东关村")
    child = old.get_model("children", "Child").objects.create(
        name="王小明", sex="M", birth_date=datetime.date(2015, 3, 14), hukou_type="rural", township=township,
        village=village, no_id_reason="弃婴尚未落户",
    )  # fmt: skip
    user = old.get_model("auth", "User").objects.create(username="zhou")
    profile = old.get_model("dingzhou_welfare", "StaffProfile").objects.create(user_id=user.pk, role="caseworker")
    profile.townships.add(township)
    profile.villages.add(village)
    # A transactional test before this one may have flushed the groups 0002 made: hold one here.
    township_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="children", model="township"
    )
    permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=township_type, codename="add_township", defaults={"name": "Can add 乡镇（街道）"}
    )
    administrators, _ = old.get_model("auth", "Group").objects.get_or_create(name="administrator")
    administrators.permissions.add(permission)

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Township, Village = new.get_model("dingzhou_welfare", "Township"), new.get_model("dingzhou_welfare", "Village")
    assert Township.objects.get(pk=township.pk).code == "130682100"
    assert Village.objects.get(pk=village.pk).township_id == township.pk
    moved = new.get_model("children", "Child").objects.get(pk=child.pk)
    assert (moved.township_id, moved.village_id) == (township.pk, village.pk)
    profile = new.get_model("dingzhou_welfare", "StaffProfile").objects.get(pk=profile.pk)
    assert list(profile.townships.values_list("pk", flat=True)) == [township.pk]
    assert list(profile.villages.values_list("pk", flat=True)) == [village.pk]
    ContentType = new.get_model("contenttypes", "ContentType")
    assert ContentType.objects.get(pk=township_type.pk).app_label == "dingzhou_welfare"
    assert not ContentType.objects.filter(app_label="children", model__in=["township", "village"]).exists()
    administrators = new.get_model("auth", "Group").objects.get(name="administrator")
    assert administrators.permissions.filter(content_type_id=township_type.pk, codename="add_township").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_migrations_after")
def test_content_types_made_early_for_the_moved_places_merge_into_the_kept_ones():
    """post_migrate may have created dingzhou_welfare's content types already: the old ones stay."""
    old = migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission, Group = old.get_model("auth", "Permission"), old.get_model("auth", "Group")
    kept, _ = ContentType.objects.get_or_create(app_label="children", model="village")
    old_permission, _ = Permission.objects.get_or_create(
        content_type=kept, codename="change_village", defaults={"name": "Can change 村"}
    )
    early = ContentType.objects.create(app_label="dingzhou_welfare", model="village")
    early_permission = Permission.objects.create(content_type=early, codename="change_village", name="Can change 村")
    group = Group.objects.create(name="村务")
    group.permissions.add(early_permission)

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    ContentType = new.get_model("contenttypes", "ContentType")
    assert ContentType.objects.get(app_label="dingzhou_welfare", model="village").pk == kept.pk
    group = new.get_model("auth", "Group").objects.get(name="村务")
    assert list(group.permissions.values_list("pk", flat=True)) == [old_permission.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_migrations_after")
def test_the_townships_fixture_loads_into_the_moved_model():
    from dingzhou_welfare.models import Township

    call_command("loaddata", "dingzhou_townships", verbosity=0)
    call_command("loaddata", "dingzhou_townships", verbosity=0)  # keyed by code: safe to repeat
    assert Township.objects.count() == 25
