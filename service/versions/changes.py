"""The hand-written half of each version change: the conversions the generator cannot fill in.

`bind` (generated from spec/releases/) takes one argument per version change that has
conversions to write, typed by that change's `Written` Protocol, so a new breaking change makes
the type checker fail here until its conversions are written (docs/versioning.md). 2.0.0
renames `description` to `statement_descriptor`, which the generator fills in: nothing to write.
"""

from __future__ import annotations

from generated.version_changes import Versions, bind


def served_versions() -> Versions:
    return bind()
