"""The importer by concept: each module holds one concept's part of a minutes file, paired
the way an aggregate's module holds its events and verbs: how its entries are declared and
built into facts (a `...Facts` class), and how those facts are recorded and corrected with
the registry's commands (an `...Applier` class), with the error fields (`FIELDS`), the
correctable attributes (`CORRECTABLE`) and the words for a left-out fact (`KIND_WORDS`) of
its kinds of fact.

registry/importing/building.py and applying.py compose them; common.py holds what they share.
"""
