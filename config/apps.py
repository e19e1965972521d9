from django.contrib.staticfiles.apps import StaticFilesConfig


class WorklogStaticFilesConfig(StaticFilesConfig):
    # static/src holds the Tailwind input, which is built into static/css and never served.
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "src"]
