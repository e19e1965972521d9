"""Attachment storage for the journal's tests: the local disk, and a real S3 API (moto's server
mode on a free local port) that django-storages talks to over HTTP."""

import uuid
from collections.abc import Callable

import pytest

S3_REGION = "us-east-1"
S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer  # imported here: it takes a second or two

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def attachment_storage(request, settings, tmp_path) -> Callable[[], list[str]]:
    """Points Django's default storage at the local disk or at a fresh bucket, and returns a
    function listing what that storage holds."""
    settings.MEDIA_ROOT = tmp_path
    if request.param == "local":
        return lambda: sorted(
            str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file()
        )
    import boto3

    endpoint = request.getfixturevalue("s3_endpoint")
    bucket_name = f"attachments-{uuid.uuid4().hex[:12]}"
    bucket = boto3.resource(
        "s3", endpoint_url=endpoint, region_name=S3_REGION, **S3_CREDENTIALS
    ).Bucket(bucket_name)
    bucket.create()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.storage.StreamingS3Storage",
            "OPTIONS": {
                "bucket_name": bucket_name,
                "endpoint_url": endpoint,
                "region_name": S3_REGION,
                "access_key": S3_CREDENTIALS["aws_access_key_id"],
                "secret_key": S3_CREDENTIALS["aws_secret_access_key"],
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    return lambda: sorted(summary.key for summary in bucket.objects.all())
