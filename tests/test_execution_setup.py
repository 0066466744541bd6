"""How the schema executes: no per-field hook that the registry does not need."""

from __future__ import annotations

from api.limits import without_introspection
from api.schema import schema


def test_no_extension_wraps_every_field():
    """strawberry's DirectivesExtension (added for any custom directive) resolves every field
    through an extra coroutine; @atLeastPosition stands on the operation, so it is left out,
    and no other extension has a per-field `resolve` hook."""
    for variant in (schema, without_introspection(schema)):
        extensions = variant.get_extensions()
        assert not [type(e).__name__ for e in extensions if e._implements_resolve()]
        assert not [
            type(e).__name__ for e in variant.get_extensions(sync=True) if e._implements_resolve()
        ]


def test_the_directive_is_still_declared():
    assert "directive @atLeastPosition" in str(schema)
