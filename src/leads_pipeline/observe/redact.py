"""Keep secrets out of everything the pipeline prints or stores: logs, alerts, the run log.

Secrets are the alert URLs (Apprise's and the webhooks'), passwords in URLs and DSNs (`scheme://user:password@host`),
signed-URL query parameters, and the values of credential variables in the environment (dlt's
`SOURCES__FILESYSTEM__CREDENTIALS__*`, `AWS_SECRET_ACCESS_KEY` and the like). Each is replaced by
`***` wherever it appears.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

MASK = "***"
MIN_SECRET_LENGTH = 6
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS|WEBHOOK|DSN|API_KEY", re.I)
URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@", re.I)
SIGNED_QUERY = re.compile(
    r"(?P<name>[?&](?:X-Amz-Signature|X-Amz-Credential|X-Goog-Signature|X-Goog-Credential|sig|signature|token|"
    r"access_token|key|apikey|api_key|password)=)[^&\s\"']+",
    re.I,
)


class Redactor:
    """Replaces known secret values and secret-shaped URL parts in text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        values = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted(values, key=len, reverse=True)

    @classmethod
    def from_environment(
        cls,
        extra: Iterable[str | None] = (),
        urls: Iterable[str | None] = (),
        environ: Mapping[str, str] | None = None,
    ) -> Redactor:
        """Secrets from credential-named variables, `extra` values, and the passwords inside `urls`."""
        environ = os.environ if environ is None else environ
        found = [value for name, value in environ.items() if SECRET_NAME.search(name)]
        extra = list(extra)
        for value in [*found, *extra, *urls]:
            match = URL_PASSWORD.search(value or "")
            if match:
                found.append(match.group("password"))
        return cls([*found, *extra])

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for secret in self.secrets:
            text = text.replace(secret, MASK)
            # A private key pasted into an env var with literal "\n" may appear with real newlines.
            if "\\n" in secret:
                text = text.replace(secret.replace("\\n", "\n"), MASK)
        text = URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", text)
        return SIGNED_QUERY.sub(lambda m: f"{m.group('name')}{MASK}", text)

    def value(self, data: object) -> object:
        """Redact every string inside nested dicts and lists (alert details)."""
        if isinstance(data, str):
            return self(data)
        if isinstance(data, Mapping):
            return {key: self.value(item) for key, item in data.items()}
        if isinstance(data, list | tuple):
            return [self.value(item) for item in data]
        return data


def redactor_for(settings: object) -> Redactor:
    """The redactor for one run: the environment's secrets plus the settings' secret values."""
    alerts = getattr(settings, "alerts", None)
    webhooks = [getattr(alerts, "slack_webhook_url", None), getattr(alerts, "webhook_url", None)]
    webhooks += (getattr(alerts, "alert_urls", None) or "").replace(",", " ").split()  # Apprise URLs hold tokens
    urls = [getattr(settings, "postgres_dsn", None), getattr(settings, "bucket_url", None)]
    return Redactor.from_environment(webhooks, urls)
