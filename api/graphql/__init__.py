"""The GraphQL layer, by concept (Saleor-style): each package holds its types, its Query fields
(queries.py) and its loaders; core/ holds what they share."""
