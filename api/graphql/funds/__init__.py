"""Funds and their allocations."""

from api.graphql.funds.types import Allocation, Fund

__all__ = ["Allocation", "Fund"]
