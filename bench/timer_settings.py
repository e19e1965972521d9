"""The production settings plus the benchmark's baseline view (see bench/timer_urls.py)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.timer_urls"
