"""The enums of bodies and their composition."""

from __future__ import annotations

import strawberry

from registry import values

# The domain's own enums, served as GraphQL enums (names such as CHAIR, REFERRED_BACK).
Role = strawberry.enum(
    values.Role, description="A role in a body (ordförande, vice ordförande, ledamot, ...)."
)
