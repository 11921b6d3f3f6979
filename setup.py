"""Package layout, the one part pyproject.toml cannot say: the repository's top-level `prompts/` and
`models/` folders (their documented home) ship inside the package as `finbrief/prompts/` and
`finbrief/models/`, so an installed wheel carries its prompts and model manifest. `package-dir` in
pyproject.toml can map them, but its `packages.find` only discovers packages under `service/`, and
the mapped ones must be listed too. Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

setup(
    package_dir={"": "service", "finbrief.prompts": "prompts", "finbrief.models": "models"},
    packages=[
        *find_namespace_packages("service", include=["finbrief", "finbrief.*"], exclude=["*.__pycache__"]),
        "finbrief.prompts",
        "finbrief.models",
    ],
    package_data={
        "finbrief": ["data/*", "web/*"],  # the bundled glossary; the reading page (GET /)
        "finbrief.prompts": ["*/*.md"],  # one folder per prompt-set version
        "finbrief.models": ["manifest.json"],
    },
)
