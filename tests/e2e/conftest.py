"""Fixtures the end-to-end modules share: `make run`'s demo user, signed in once per module.

A module that needs someone else (a new user, a viewer) declares its own fixture.
"""

from __future__ import annotations

import pytest

from tests.e2e.e2e_support import ApiUser, signed_in
from tests.local_stack import LocalStack


@pytest.fixture(scope="module")
def user(local_stack: LocalStack) -> ApiUser:
    """The demo user: the owner of the jobs a module submits."""
    return signed_in(local_stack)


@pytest.fixture(scope="module")
def admin(user: ApiUser) -> ApiUser:
    """The same demo user where a test needs an admin: it is in the `admins` group."""
    return user
