"""Cloud buckets on local stand-ins: S3 on a moto server with real IAM keys, Google Cloud Storage
on gcp-storage-emulator with a service account whose signed token request a local endpoint checks.
Credentials come from the environment the way dlt reads them; wrong ones stop the run in one line,
and no secret shows anywhere."""

from __future__ import annotations

import json
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import duckdb
import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.errors import BucketError
from leads_pipeline.run.pipeline import Progress, execute
from tests.conftest import REAL_FILES

CREDENTIALS = "SOURCES__FILESYSTEM__CREDENTIALS__"
TEXAS = REAL_FILES["source_3"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def everything_said(settings, printed: list[str], error: str) -> str:
    """What the run printed, raised, and stored in the run log and the alerts table."""
    with duckdb.connect(str(settings.database), read_only=True) as con:
        stored = con.execute("SELECT message FROM main_audit.alerts UNION ALL SELECT message FROM main_audit.runs")
        return "\n".join([*printed, error, *(row[0] or "" for row in stored.fetchall())])


# -- S3 ------------------------------------------------------------------------------------------


@dataclass
class S3:
    endpoint: str
    key_id: str
    secret: str


@pytest.fixture(scope="module")
def s3(real_dir: Path) -> Iterator[S3]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    admin = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "setup",
        "aws_secret_access_key": "setup",
    }
    try:
        s3_admin = boto3.client("s3", **admin)
        s3_admin.create_bucket(Bucket="leads-bucket")
        s3_admin.put_object(Bucket="leads-bucket", Key=TEXAS, Body=(real_dir / TEXAS).read_bytes())
        iam = boto3.client("iam", **admin)
        iam.create_user(UserName="loader")
        policy = iam.create_policy(
            PolicyName="read-bucket",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
            ),
        )
        iam.attach_user_policy(UserName="loader", PolicyArn=policy["Policy"]["Arn"])
        key = iam.create_access_key(UserName="loader")["AccessKey"]
        # From here on the server checks every request's signature against its IAM users.
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request, timeout=10).read()
        yield S3(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        server.stop()


def use_s3(monkeypatch, s3: S3, secret: str) -> None:
    monkeypatch.setenv(f"{CREDENTIALS}AWS_ACCESS_KEY_ID", s3.key_id)
    monkeypatch.setenv(f"{CREDENTIALS}AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv(f"{CREDENTIALS}ENDPOINT_URL", s3.endpoint)
    monkeypatch.setenv(f"{CREDENTIALS}REGION_NAME", "us-east-1")


def test_a_file_in_s3_loads_with_credentials_from_the_environment(s3, monkeypatch, settings_for):
    use_s3(monkeypatch, s3, s3.secret)
    settings = settings_for("s3://leads-bucket")
    report = execute(settings, "leads ingest", True, False, only=["source_3"])
    assert [(f.relative_path, f.status, f.rows) for f in report.ingest.files] == [(TEXAS, "loaded", 29)]
    with duckdb.connect(str(settings.database), read_only=True) as con:
        url = con.execute("SELECT file_url FROM raw.ingested_files").fetchone()[0]
        assert con.execute("SELECT count(*) FROM raw.source_3_raw").fetchone()[0] == 29
    assert url == f"s3://leads-bucket/{TEXAS}"


def test_wrong_s3_credentials_stop_the_run_without_showing_them(s3, monkeypatch, settings_for):
    wrong = "wrongSECRETnotTheKey0123"
    use_s3(monkeypatch, s3, wrong)
    settings = settings_for("s3://leads-bucket")
    printed: list[str] = []
    with pytest.raises(BucketError) as raised:
        execute(
            settings,
            "leads ingest",
            True,
            False,
            Progress(message=printed.append, alert=lambda a: printed.append(a.line())),
        )
    error = str(raised.value)
    assert error.startswith("bucket s3://leads-bucket refused the credentials (PermissionError: The request signature")
    assert "SOURCES__FILESYSTEM__CREDENTIALS__" in error
    said = everything_said(settings, printed, error)
    assert wrong not in said and s3.secret not in said

    cli = CliRunner().invoke(app, ["ingest", "--bucket-url", "s3://leads-bucket", "--database", str(settings.database)])
    assert cli.exit_code == 3 and "refused the credentials" in cli.output and wrong not in cli.output


def test_an_s3_bucket_that_does_not_exist_is_named(s3, monkeypatch, settings_for):
    use_s3(monkeypatch, s3, s3.secret)
    with pytest.raises(BucketError, match=r"^bucket s3://no-such-bucket does not exist; check --bucket-url"):
        execute(settings_for("s3://no-such-bucket"), "leads ingest", True, False)


# -- Google Cloud Storage ------------------------------------------------------------------------


@dataclass
class GCS:
    private_key: str
    other_key: str


def _pem(key) -> str:  # noqa: ANN001 - a cryptography private key
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def gcs(real_dir: Path) -> Iterator[GCS]:
    """The emulator, one service account key, and a token endpoint that accepts only that key."""
    import gcsfs
    from cryptography.hazmat.primitives.asymmetric import rsa
    from gcp_storage_emulator.server import create_server
    from google.auth import jwt

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket="leads-bucket")
    server.start()
    key, other = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    from cryptography.hazmat.primitives import serialization

    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    class TokenEndpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            assertion = dict(part.split("=", 1) for part in body.split("&"))["assertion"]
            try:
                jwt.decode(assertion, certs=public, verify=True)
                status, answer = 200, {"access_token": "local-token", "expires_in": 3600, "token_type": "Bearer"}
            except ValueError:
                status, answer = 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(answer).encode())

        def log_message(self, *args) -> None:
            pass

    tokens = ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
    threading.Thread(target=tokens.serve_forever, daemon=True).start()
    patch = pytest.MonkeyPatch()
    patch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    assert os.environ.get("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT") == "false"  # set in tests/conftest.py
    patch.setenv("NO_GCE_CHECK", "True")  # google-auth never probes a metadata server
    # Google's token endpoint is the one address a service account always calls: send it here.
    import google.oauth2._client as oauth_client

    original = oauth_client._token_endpoint_request
    local = f"http://127.0.0.1:{tokens.server_address[1]}/token"
    patch.setattr(
        oauth_client, "_token_endpoint_request", lambda request, _uri, *a, **kw: original(request, local, *a, **kw)
    )
    try:
        gcsfs.GCSFileSystem(token="anon").pipe(f"leads-bucket/{TEXAS}", (real_dir / TEXAS).read_bytes())
        yield GCS(_pem(key), _pem(other))
    finally:
        patch.undo()
        tokens.shutdown()
        server.stop()


def use_gcs(monkeypatch, private_key: str) -> None:
    monkeypatch.setenv(f"{CREDENTIALS}PROJECT_ID", "leads-test")
    monkeypatch.setenv(f"{CREDENTIALS}CLIENT_EMAIL", "loader@leads-test.iam.gserviceaccount.com")
    monkeypatch.setenv(f"{CREDENTIALS}PRIVATE_KEY", private_key)


def test_a_file_in_gcs_loads_with_a_service_account_from_the_environment(gcs, monkeypatch, settings_for):
    use_gcs(monkeypatch, gcs.private_key)
    settings = settings_for("gs://leads-bucket")
    report = execute(settings, "leads ingest", True, False, only=["source_3"])
    assert [(f.relative_path, f.status, f.rows) for f in report.ingest.files] == [(TEXAS, "loaded", 29)]
    with duckdb.connect(str(settings.database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.source_3_raw").fetchone()[0] == 29


def test_a_wrong_service_account_key_stops_the_run_without_showing_it(gcs, monkeypatch, settings_for):
    use_gcs(monkeypatch, gcs.other_key)
    settings = settings_for("gs://leads-bucket")
    printed: list[str] = []
    with pytest.raises(BucketError) as raised:
        execute(
            settings,
            "leads ingest",
            True,
            False,
            Progress(message=printed.append, alert=lambda a: printed.append(a.line())),
        )
    error = str(raised.value)
    assert error.startswith(
        "bucket gs://leads-bucket refused the credentials (RefreshError: ('invalid_grant: Invalid JWT"
    )
    said = everything_said(settings, printed, error)
    body = gcs.other_key.splitlines()[5]
    assert body not in said and "PRIVATE KEY" not in said
