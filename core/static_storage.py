"""The static files' storage in production: whitenoise's compressed, hashed files, with each
file's URL looked up once per process. Every page names the same few files (the style sheet,
the scripts, the icon), and the manifest cannot change while the process runs."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        url = self._urls.get(name)
        if url is None:
            # A name the manifest lacks raises here, and is not remembered.
            url = self._urls[name] = super().url(name)
        return url
