"""A local S3 server for tests: moto in server mode (`moto_server`), on a free port of 127.0.0.1,
started by the test session and stopped at its end. It speaks the S3 REST protocol over HTTP, so
boto3 and django-storages talk to it exactly as they talk to MinIO or a cloud service."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from kefu.core.tests.pgcluster import free_port


@contextlib.contextmanager
def moto_s3_server():
    """Yield the endpoint URL of a running moto S3 server."""
    port = free_port()
    program = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(program), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
