"""`make user EMAIL=... [ADMIN=1] [PASSWORD=...] [STAGE=dev|prod|local]`: a user of the stack's pool.

The pool only lets administrators create users (`AllowAdminCreateUserOnly`): this is how the
first one is made. On AWS, Cognito emails a temporary password and asks for a new one at the
first sign-in, unless PASSWORD is given (then that is the user's password at once). On the local
stack nothing is emailed: the password (given, or generated) is set and printed. ADMIN=1 also
puts the user in the `admins` group (DESIGN.md: who may move model aliases).
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.build.stage import DEFAULT_LOCAL_DIR, StackNotFound, target

ADMINS_GROUP = "admins"


@dataclass(frozen=True)
class CreatedUser:
    username: str
    created: bool  # False: the user was there already
    password: str | None  # set by us (None: Cognito emailed a temporary one)
    admin: bool


def generated_password() -> str:
    """Meets the pool's policy: 12+ characters with lower, upper case and digits."""
    return f"Bs-{secrets.token_urlsafe(12)}-a1B"


def ensure_user(
    cognito: Any,
    pool_id: str,
    email: str,
    *,
    admin: bool = False,
    password: str | None = None,
    email_invitation: bool = True,
) -> CreatedUser:
    """Create `email` (or keep it if it exists), set `password` if given, add to admins if asked."""
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
    ]
    request: dict[str, Any] = {
        "UserPoolId": pool_id,
        "Username": email,
        "UserAttributes": attributes,
    }
    if password is not None or not email_invitation:
        request["MessageAction"] = "SUPPRESS"
    else:
        request["DesiredDeliveryMediums"] = ["EMAIL"]
    try:
        cognito.admin_create_user(**request)
        created = True
    except cognito.exceptions.UsernameExistsException:
        created = False
    if password is not None:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=email, Password=password, Permanent=True
        )
    if admin:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=ADMINS_GROUP)
    return CreatedUser(email, created, password, admin)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", required=True)
    parser.add_argument("--stage", default="dev", help="dev, prod (samconfig.toml) or local")
    parser.add_argument("--admin", action="store_true", help="also a member of `admins`")
    parser.add_argument("--password", default=None, help="set this permanent password")
    parser.add_argument("--local-dir", type=Path, default=DEFAULT_LOCAL_DIR)
    args = parser.parse_args(argv)
    try:
        stack = target(args.stage, args.local_dir)
    except StackNotFound as exc:
        print(f"make user: {exc}", file=sys.stderr)
        return 1
    password = args.password or (generated_password() if stack.local else None)
    user = ensure_user(
        stack.client("cognito-idp"),
        str(stack.outputs["UserPoolId"]),
        args.email,
        admin=args.admin,
        password=password,
    )
    state = "created" if user.created else "already there"
    role = f", in group {ADMINS_GROUP}" if user.admin else ""
    print(f"{user.username}: {state} in {stack.stack_name}{role}")
    if user.password is not None:
        print(f"password: {user.password}")
    else:
        print("Cognito emails a temporary password; the first sign-in asks for a new one.")
    site = stack.outputs.get("SiteUrl") or stack.outputs.get("WebUrl")
    if site:
        print(f"sign in at {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
