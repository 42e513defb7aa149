"""Settings of the scale-out deployment (docs/deployment.md), read from the environment.

Kept apart from settings.py so that tests can build them from a given environment: the S3
storage test configures its storage exactly as production would, from `KEFU_S3_*`.
"""

from __future__ import annotations

import dj_database_url

from config.env import env_int, env_str


def s3_storage() -> dict | None:
    """The STORAGES["default"] entry for S3-compatible object storage, or None (local files).

    `KEFU_S3_BUCKET` turns it on. Without keys, boto3's own chain applies (instance role, ~/.aws).
    Files stay private (no ACL, signed URLs only), and an upload never overwrites an object of the
    same name: two attachments called IMG_0001.jpg on one order are two objects, as on disk."""
    bucket = env_str("KEFU_S3_BUCKET")
    if not bucket:
        return None
    options = {
        "bucket_name": bucket,
        "location": env_str("KEFU_S3_PREFIX", "") or "",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    optional = {
        "endpoint_url": "KEFU_S3_ENDPOINT_URL",  # MinIO, Ceph, OSS/COS S3 endpoints; unset → AWS
        "region_name": "KEFU_S3_REGION",
        "access_key": "KEFU_S3_ACCESS_KEY_ID",
        "secret_key": "KEFU_S3_SECRET_ACCESS_KEY",
        "addressing_style": "KEFU_S3_ADDRESSING_STYLE",  # "path" for MinIO and most private services
    }
    for option, name in optional.items():
        value = env_str(name)
        if value:
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def replica_database(default: dict) -> dict | None:
    """DATABASES["replica"] from `KEFU_REPLICA_DATABASE_URL` (a PostgreSQL streaming replica)."""
    url = env_str("KEFU_REPLICA_DATABASE_URL")
    if not url:
        return None
    replica = dj_database_url.parse(url, conn_max_age=default.get("CONN_MAX_AGE", 0))
    if replica["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer must not hold a report for the OS's TCP timeout: after
        # this many seconds the report reads from the primary (kefu.core.dbrouter).
        replica.setdefault("OPTIONS", {})["connect_timeout"] = env_int("KEFU_REPLICA_CONNECT_TIMEOUT", 3)
    # Test runs point the replica at the test database (there is no second one to replicate to).
    replica["TEST"] = {"MIRROR": "default"}
    return replica


def redis_cache() -> dict | None:
    """CACHES["default"] on Redis, shared by every web node (`KEFU_CACHE_URL`), or None (per process)."""
    url = env_str("KEFU_CACHE_URL")
    if not url:
        return None
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "kefu",
            "TIMEOUT": 300}
