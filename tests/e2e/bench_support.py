"""The session's local stack as the bench drivers (`bench/`) describe one."""

from __future__ import annotations

from dataclasses import fields

from bench.loadtest import Stack
from tests.local_stack import LocalStack


def bench_stack(local_stack: LocalStack) -> Stack:
    """A `Stack` with each of its fields taken from `local_stack`, which has them all."""
    return Stack(**{field.name: getattr(local_stack, field.name) for field in fields(Stack)})
