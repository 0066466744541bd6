"""Minutes import: one meeting's minutes (or one body's statement) from one YAML or JSON file,
saved whole or not at all. The format is documented in docs/minutes-format.md and checked by
minutes.schema.json in this package."""

from registry.importing.importer import (
    ImportResult,
    canonical_yaml,
    difference,
    import_data,
    import_file,
    import_text,
)
from registry.importing.loading import schema
from registry.importing.problems import ImportRefused, Problem

__all__ = [
    "ImportRefused",
    "ImportResult",
    "Problem",
    "canonical_yaml",
    "difference",
    "import_data",
    "import_file",
    "import_text",
    "schema",
]
