"""The keyboard shortcuts the help overlay lists; static/js/app.js implements the help and go-to
keys, static/js/timer.js the timer's."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortcut:
    key: str
    description: str


GLOBAL_SHORTCUTS = (
    Shortcut("?", "Show this help"),
    Shortcut("Esc", "Close this help"),
    Shortcut("t", "Start or stop the timer (from any page)"),
    Shortcut("s", "Switch the timer to something else (opens the target picker)"),
)
