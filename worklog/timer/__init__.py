"""The timer: work sessions timed against any target, one running under the switch policy.
Models, services, selectors, views, the JSON API and the admin of `WorkSession` live here."""
