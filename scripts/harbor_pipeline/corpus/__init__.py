"""`make corpus`: the generator over real-world OpenAPI documents, with a table of the results."""
