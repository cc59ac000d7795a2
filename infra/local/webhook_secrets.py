"""The per-owner webhook signing secrets of a local stack: one SSM SecureString in the emulator.

The same parameter the template names (`WEBHOOK_SECRETS_PARAMETER`), holding a fresh random
secret for the demo user and for the example partner client. Add an owner with
`put-parameter --overwrite` as on AWS; functions see the change within their cache's max age.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from typing import Any


def user_sub(cognito: Any, user_pool_id: str, username: str) -> str:
    user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=username)
    attributes = {item["Name"]: item["Value"] for item in user.get("UserAttributes", [])}
    return str(attributes["sub"])


def create_webhook_secrets(ssm: Any, parameter_name: str, owners: Iterable[str]) -> dict[str, str]:
    """A random secret per owner, stored as the JSON map the functions read; the map."""
    document = {owner: secrets.token_urlsafe(32) for owner in owners}
    ssm.put_parameter(
        Name=parameter_name, Type="SecureString", Value=json.dumps(document), Overwrite=True
    )
    return document
