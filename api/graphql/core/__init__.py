"""What every concept of the GraphQL layer shares: ids, the reader, sources, events, the list
helper and the lazy references between concepts (refs.py)."""
