"""The keyboard shortcuts the help overlay lists; static/js/app.js implements them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortcut:
    key: str
    description: str


GLOBAL_SHORTCUTS = (
    Shortcut("?", "Show this help"),
    Shortcut("Esc", "Close this help"),
)
