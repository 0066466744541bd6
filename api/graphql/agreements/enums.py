"""The enums of agreements."""

from __future__ import annotations

import strawberry

from registry.status import agreement as agreement_status

AgreementStatus = strawberry.enum(
    agreement_status.AgreementStatus,
    description="Where an agreement stands on a date (the domain's rule, "
    "registry/status/agreement.py).",
)
