"""The breaking-change gate: compare two OpenAPI contracts and judge whether clients break.

Modules, each importing only those above it (unions names two types of schemas,
for the type checker only):

    nodes        typed access to parsed JSON/YAML, SpecError
    resolve      $ref targets, memoised, cycle-safe
    load         file or git:REF:PATH -> parsed, validated Spec
    stability    x-stability-level: the levels, an operation's, the threshold
    findings     rule catalogue, Change, Finding, Comparison
    model        Schema: what one schema object accepts, one level deep
    merge        allOf parts -> one Schema
    normalize    raw schema -> Schema ($ref, allOf, oneOf/anyOf, nullable)
    constraints  bounds, lengths, counts, patterns, formats of two Schemas
    graph        directions, the pair graph, the changes reachable from each pair
    applicators  the 2020-12 keywords (contains, if/then/else, not, ...) and unknown ones
    unions       matching oneOf/anyOf alternatives
    schemas      request- and response-direction schema comparison
    operations   operations, parameters, callbacks and webhooks, keyed to match
    wire         query, header, path and cookie parameters as the strings they accept
    security     security requirements
    compare      two Specs -> Comparison
    fingerprint  a finding's stable fingerprint: rule, operation key, place
    accepted     the accepted-changes file: load it, mark what it accepts, list what is stale
    positions    lines of JSON pointers in JSON text
    locate       lines of JSON pointers in the documents compared
    report       text, JSON, Markdown, changelog
    github       GitHub workflow commands
    release      newest release, the gate, cutting a release
    __main__     the command line
"""

from harbor_pipeline.breaking.compare import compare_specs
from harbor_pipeline.breaking.findings import RULES, Comparison, Finding, Level, Rule, Section
from harbor_pipeline.breaking.load import Spec, load_spec
from harbor_pipeline.breaking.nodes import SpecError

__all__ = [
    "RULES",
    "Comparison",
    "Finding",
    "Level",
    "Rule",
    "Section",
    "Spec",
    "SpecError",
    "compare_specs",
    "load_spec",
]
