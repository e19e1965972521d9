"""Who may do what in the catalog, granted through groups.

- Everyone signed in browses the catalog and orders; a basket is seen (and handled) only by the
  user who created it, and anyone else gets 404.
- The work queue shows the work of committed baskets a user may see, plus any work item assigned
  to them; whoever sees a work item may start, block or complete it, and time it.
- "Catalog back office" (`catalog.view_all_baskets`) sees and handles every basket and its work,
  records dispenses (`catalog.add_dispenselog`), and manages the catalog's items.
- "Catalog managers" manage the catalog's items only (`catalog.change_catalogitem`).
"""

from django.contrib.auth.models import Group, Permission

BACK_OFFICE_GROUP = "Catalog back office"
MANAGERS_GROUP = "Catalog managers"

_MANAGE = ["add_catalogitem", "change_catalogitem", "view_catalogitem"]
GROUP_PERMISSIONS = {
    BACK_OFFICE_GROUP: [
        "view_all_baskets",
        "add_dispenselog",
        "view_dispenselog",
        "change_workitem",
        "view_workitem",
        *_MANAGE,
    ],
    MANAGERS_GROUP: _MANAGE,
}


def ensure_groups(**kwargs) -> None:
    """Creates the catalog's groups with their permissions; safe to run again."""
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="catalog", codename__in=codenames
        )
        group.permissions.add(*permissions)
