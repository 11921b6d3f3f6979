"""HTTP layer: thin routers over the pipeline, one error mapping."""
