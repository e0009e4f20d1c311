"""HTTP edge: request parsing, handlers, OpenAPI."""
