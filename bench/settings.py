"""The production settings plus the benchmark's floor endpoint (see bench/urls.py)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
