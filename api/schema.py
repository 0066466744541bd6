"""The GraphQL schema: every concept the registry holds, on both time axes.

`asOf` (valid time) asks about a day in the world; `knownAt` (recorded time) asks what the
registry knew at a moment. Top-level lists are Relay connections with keyset cursors. The
types, Query fields and loaders of each concept live in api/graphql/<concept>/; the Query root
here merges the concepts' query classes.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.directive import DirectiveLocation
from strawberry.extensions import SchemaExtension
from strawberry.extensions.directives import DirectivesExtension, DirectivesExtensionSync

from api.graphql.agreements.queries import AgreementsQuery
from api.graphql.assignments.queries import AssignmentsQuery
from api.graphql.audit.queries import AuditQuery
from api.graphql.audit.subscription import Subscription
from api.graphql.bodies.queries import BodiesQuery
from api.graphql.decisions.queries import DecisionsQuery
from api.graphql.funds.queries import FundsQuery
from api.graphql.mandates.queries import MandatesQuery
from api.graphql.meetings.queries import MeetingsQuery, PlansQuery
from api.graphql.nodes.queries import NodeQuery
from api.graphql.persons.queries import PersonsQuery
from api.graphql.projects.queries import ProjectsQuery
from api.limits import graphql_extensions
from api.mutations import Mutation
from api.read_your_writes import ReadYourWrites, at_least_position


@strawberry.type
class Query(
    PlansQuery,
    ProjectsQuery,
    MandatesQuery,
    BodiesQuery,
    PersonsQuery,
    MeetingsQuery,
    DecisionsQuery,
    AgreementsQuery,
    FundsQuery,
    AssignmentsQuery,
    AuditQuery,
    NodeQuery,
):
    """The root of every read: the concepts' Query fields, in the order the schema serves them."""


class RegistrySchema(strawberry.Schema):
    """strawberry's Schema without its per-field directive hook.

    strawberry adds `DirectivesExtension` to every request of a schema that declares custom
    directives. It has a `resolve` hook, so every field of every answer, even a plain
    attribute, is resolved through an extra coroutine and task: it doubled the time of a
    nested query. It only runs field-level directives; the registry's only directive,
    `@atLeastPosition`, sits on the operation (ReadYourWrites acts on it), so when no custom
    directive may stand on a field the hook has nothing to do and is left out."""

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        extensions = super().get_extensions(sync)
        if self._field_directives():
            return extensions
        return [e for e in extensions if not isinstance(e, _FIELD_DIRECTIVE_HOOKS)]

    def _field_directives(self) -> bool:
        """Whether a custom directive may stand on a field (looked at once)."""
        found = self.__dict__.get("_on_fields")
        if found is None:
            found = self.__dict__["_on_fields"] = any(_on_fields(d) for d in self.directives)
        return found


_FIELD_DIRECTIVE_HOOKS = (DirectivesExtension, DirectivesExtensionSync)
_EXECUTABLE_FIELD_LOCATIONS = {
    DirectiveLocation.FIELD,
    DirectiveLocation.FRAGMENT_SPREAD,
    DirectiveLocation.INLINE_FRAGMENT,
}


def _on_fields(directive: Any) -> bool:
    return bool(_EXECUTABLE_FIELD_LOCATIONS.intersection(directive.locations))


schema = RegistrySchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    directives=[at_least_position],
    extensions=[*graphql_extensions(), ReadYourWrites],
)
