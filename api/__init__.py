"""HTTP entrypoint: FastAPI with strawberry GraphQL at /graphql. Resolvers read projections
only; they never load aggregates or replay events."""
