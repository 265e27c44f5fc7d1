"""The partner clients generated from a spec: a Python package (httpx) and a TypeScript package."""
