"""The registry's commands, one module per concept, each a set of commands on its
aggregates (persons.py, bodies.py, memberships.py, meetings.py, decisions.py, ...), all
sharing one unit of work (unit_of_work.py). `registry.application.Registry` composes them
into the application service.

Exposed here: the values commands take (an `Appointment` to a body, a `SeatSpec`, the
`DecisionHandle` a decision's block yields) and the `UnitOfWork` itself.
"""

from registry.commands.bodies import SeatSpec
from registry.commands.decisions import DecisionHandle
from registry.commands.memberships import Appointment
from registry.commands.persons import ContactValues
from registry.commands.unit_of_work import UnitOfWork

__all__ = ["Appointment", "ContactValues", "DecisionHandle", "SeatSpec", "UnitOfWork"]
