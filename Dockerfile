# CPU service image. Mirrors the README: install (torch CPU wheel pinned first), pull and verify the
# default model at build time so containers start without network, then `finbrief serve`.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    FINBRIEF_HOST=0.0.0.0 \
    FINBRIEF_PORT=8000 \
    FINBRIEF_MODEL_DIR=/models

WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md Makefile ./
COPY service ./service
COPY models ./models
COPY prompts ./prompts
RUN make install VENV=/app/.venv BROWSER_TESTS=no
RUN /app/.venv/bin/finbrief models pull

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz').status==200 else 1)"
CMD ["/app/.venv/bin/finbrief", "serve"]
