"""The GraphQL layer, by concept (Saleor-style): each package holds its types, its Query fields
(queries.py) and its loaders; core/ holds what they share (ids, the reader, Source, Event, the
Node interface, the list helper). api/schema.py merges the concepts' Query fields.

Concepts name each other's types through core/refs.py (strawberry.lazy) and call each other
through their packages (`bodies.load_body(...)`), never by importing a name from another
concept's module: whatever the order modules are first imported in, none is read half-built.
"""
