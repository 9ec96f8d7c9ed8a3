"""What each role may do, as Django permissions on a group named after the role."""

REGISTRY_EDIT = [
    "children.view_child",
    "children.add_child",
    "children.change_child",
    "children.view_classification",
    "children.add_classification",
    "children.change_classification",
    "children.view_parentsituation",
    "children.add_parentsituation",
    "children.view_carer",
    "children.add_carer",
    "children.change_carer",
    "children.view_paymentaccount",
    "children.add_paymentaccount",
    "children.change_paymentaccount",
    "children.view_childdocument",
    "children.add_childdocument",
    "children.reveal_personal_data",
]
REGISTRY_READ = [
    "children.view_child",
    "children.view_classification",
    "children.view_parentsituation",
    "children.view_carer",
    "children.view_paymentaccount",
    "children.view_childdocument",
    "children.reveal_personal_data",
]
REFERENCE_DATA = [
    "dingzhou_welfare.view_township",
    "dingzhou_welfare.add_township",
    "dingzhou_welfare.change_township",
    "dingzhou_welfare.view_village",
    "dingzhou_welfare.add_village",
    "dingzhou_welfare.change_village",
    "dingzhou_welfare.view_supervisortraining",
    "dingzhou_welfare.add_supervisortraining",
    "dingzhou_welfare.change_supervisortraining",
    "dingzhou_welfare.delete_supervisortraining",
]

ROLE_PERMISSIONS = {
    "caseworker": REGISTRY_EDIT,
    "supervisor": REGISTRY_EDIT,
    "staff": REGISTRY_EDIT,
    "leader": REGISTRY_READ,
    "administrator": REFERENCE_DATA,
}


def sync_role_groups(apps=None, role_permissions=None):
    """Create or update one group per role with exactly its permissions (a migration passes those of its day)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in (role_permissions or ROLE_PERMISSIONS).items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
