"""A demo user in the local user pool, so the web page can be used at once."""

from __future__ import annotations

from typing import Any


def create_demo_user(
    cognito: Any, user_pool_id: str, username: str, password: str, groups: tuple[str, ...] = ()
) -> None:
    """A confirmed user with a permanent password and a verified email (local only)."""
    attributes = [{"Name": "email_verified", "Value": "true"}]
    if "@" in username:
        attributes.append({"Name": "email", "Value": username})
    cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=username,
        UserAttributes=attributes,
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=user_pool_id, Username=username, Password=password, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=username, GroupName=group)
