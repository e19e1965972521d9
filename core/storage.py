"""Object storage for uploads, chosen in settings: the local disk, or any S3-compatible store
through django-storages when a bucket is configured."""

from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class StreamingS3Storage(S3Storage):
    """django-storages' S3 backend, except that a file opened for reading streams the object's
    body: a download passes through in chunks instead of being fetched whole (into memory or a
    temporary file) before its first byte is sent."""

    def _open(self, name, mode="rb"):
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        client = self.connection.meta.client
        try:
            body = client.get_object(Bucket=self.bucket_name, Key=key)["Body"]
        except client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(f"No object {key!r} in the bucket.") from error
        return File(body, name=name)
