from dataclasses import dataclass

from .reverse_once import reversed_url
from .shortcuts import GLOBAL_SHORTCUTS, Shortcut


@dataclass(frozen=True)
class NavItem:
    label: str
    view_name: str
    goto_key: str
    staff_only: bool = False


NAVIGATION = (
    NavItem("Timer", "worklog:dashboard", "t"),
    NavItem("Week", "worklog:timer-week", "w"),
    NavItem("Procedures", "worklog:procedures", "p"),
    NavItem("Journal", "worklog:journal", "j"),
    NavItem("Catalog", "catalog:catalog", "c"),
    NavItem("Work queue", "catalog:work-queue", "q"),
    NavItem("Decisions", "decisioning:decision-list", "d"),
    NavItem("Admin", "admin:index", "a", staff_only=True),
)


def navigation(request):
    """The main navigation and the shortcut list for the help overlay, for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"label": item.label, "url": reversed_url(item.view_name), "goto_key": item.goto_key}
        for item in NAVIGATION
        if user.is_staff or not item.staff_only
    ]
    # The current section is the item whose URL is the longest prefix of this page's path.
    matching = [item for item in items if _within(request.path, item["url"])]
    current = max(matching, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = item is current
    goto_shortcuts = [Shortcut(f"g {item['goto_key']}", f"Go to {item['label']}") for item in items]
    kind = "staff" if user.is_staff else "member"
    return {
        "nav_items": items,
        "keyboard_shortcuts": [*GLOBAL_SHORTCUTS, *goto_shortcuts],
        # What the two differ by, for base.html to render each once per process and key.
        "navigation_key": f"{kind}:{current['url'] if current else ''}",
    }


def _within(path: str, section_url: str) -> bool:
    return path == section_url if section_url == "/" else path.startswith(section_url)
