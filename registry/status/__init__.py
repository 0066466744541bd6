"""The public record's statuses: one module per concept, one function per status.

Each function takes plain values (dates, kinds, recorded facts) and answers where the thing
stands on a day. GraphQL (api/), the pages, the exports and the read models' stored status
runs (projections/status_ranges.py) all call these; none of them decides a status itself
(tests/test_status_home.py checks that).
"""
