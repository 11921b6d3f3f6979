"""`finbrief batch`: brief and translate thousands of articles, resumably, locally or on Ray.

inputs      JSONL / directory readers -> InputRecord (bad lines become records that carry their error)
article     one record -> BatchRecord (fetch, validate, brief, translate) or a Failure
store       the append-only, fsynced OUTPUT and OUTPUT.errors.jsonl, and the resume index
job         per-run bookkeeping shared by both engines: resume skips, duplicate ids, identical content
runner      the local engine (the model host's Engine threads = the backend's parallel slots)
ray_runner  the Ray Data engine (one model load per worker actor)
progress    rich bar / plain lines / JSON lines, and the rates they show
digest      the human-readable Markdown or HTML digest
command     the CLI subcommand, signals and exit codes
"""
