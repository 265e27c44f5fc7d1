"""Multi-file specs: one document from a root file and every file its `$ref`s pull in.

    model   what a bundle is (Bundle, Source, Origin, BundleError), JSON-pointer tokens
    build   the bundler: each `$ref` read relative to the file that holds it
    locate  where a validator's error sits in the document it validated (ErrorLocator)

Shared by `harbor_pipeline.codegen` and `harbor_pipeline.breaking`; it imports neither.
"""

from harbor_pipeline.bundle.build import Parser, Reader, bundle
from harbor_pipeline.bundle.model import Bundle, BundleError, Origin, Source

__all__ = ["Bundle", "BundleError", "Origin", "Parser", "Reader", "Source", "bundle"]
