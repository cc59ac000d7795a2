"""A resource's !GetAtt values made up on demand, to resolve template.yaml without a stack."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class MadeUpAttributes(Mapping[str, str]):
    """Every attribute of the resource `logical_id` has a value (a subclass says which); listed,
    it has none, as the resolver never lists them."""

    def __init__(self, logical_id: str) -> None:
        self.logical_id = logical_id

    def __getitem__(self, attribute: str) -> str:
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0
