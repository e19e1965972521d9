from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("items/new/", views.item_form, name="item-create"),
    path("items/<uuid:pk>/", views.item_detail, name="item-detail"),
    path("items/<uuid:pk>/edit/", views.item_form, name="item-edit"),
    path("basket/add/", views.add_to_basket, name="basket-add"),
    path("baskets/", views.basket_list, name="basket-list"),
    path("baskets/<uuid:pk>/", views.basket_detail, name="basket-detail"),
    path("baskets/<uuid:pk>/commit/", views.commit, name="basket-commit"),
    path("baskets/<uuid:pk>/cancel/", views.cancel, name="basket-cancel"),
    path(
        "baskets/<uuid:pk>/lines/<uuid:line_pk>/quantity/",
        views.change_quantity,
        name="line-quantity",
    ),
    path("baskets/<uuid:pk>/lines/<uuid:line_pk>/remove/", views.remove_line, name="line-remove"),
    path("baskets/<uuid:pk>/lines/<uuid:line_pk>/dispense/", views.dispense, name="line-dispense"),
    path("work-queue/", views.work_queue, name="work-queue"),
    path("work-items/<uuid:pk>/", views.work_item_detail, name="work-item-detail"),
    *[
        path(
            f"work-items/<uuid:pk>/{action}/",
            views.work_item_action,
            {"action": action},
            name=f"work-item-{action}",
        )
        for action in views.WORK_ACTIONS
    ],
]
