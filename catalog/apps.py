from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from worklog.targets import TargetType, register_target_type

        from .access import ensure_groups
        from .models import WorkItem

        # After auth's own post_migrate handler has created the catalog's permissions.
        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="catalog-groups")
        register_target_type(
            TargetType(
                model=WorkItem,
                label="Work item",
                search_fields=(
                    "work_type",
                    "basket_item__catalog_item__name",
                    "basket_item__catalog_item__code",
                ),
                # Completed or cancelled work is not timed any more.
                visible_to=lambda user: (
                    WorkItem.objects.visible_to(user)
                    .open()
                    .select_related("basket_item__catalog_item")
                ),
                label_related=("basket_item__catalog_item",),
            )
        )
