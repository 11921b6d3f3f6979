"""Runtime configuration. One object, built once at the edge (CLI / app factory) and passed in."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .keys.store import KeyRecord
from .schemas import MAX_TEXT_CHARS, MIN_TEXT_CHARS

# scripted: canned answers, for tests; openai: a serving engine over HTTP (README "Serving engines")
BackendName = Literal["llamacpp", "transformers", "scripted", "openai"]
EngineFlavour = Literal["auto", "llama-server", "vllm", "sglang", "ollama", "generic"]
SourceName = Literal["local", "pypi", "hf"]
DEFAULT_SOURCES: tuple[SourceName, ...] = ("local", "pypi", "hf")


def packaged(folder: str) -> Path:
    """A data folder that ships in the package (`prompts`, `models`; mapped from the repository's
    top-level folders by setup.py): finbrief/<folder> in an installed wheel, the top-level folder
    itself in an editable checkout, where the package directory does not hold it."""
    installed = Path(str(resources.files("finbrief"))) / folder
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / folder


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINBRIEF_", env_file=None, extra="ignore")

    # --- model -----------------------------------------------------------------------------
    model: str = Field("qwen2.5-coder-1.5b-instruct-q4_k_m", description="Manifest id, or a path to a model")
    backend: BackendName = "llamacpp"
    model_dir: Path = Field(
        Path.home() / ".cache" / "finbrief" / "models", description="Verified model store"
    )
    manifest_path: Path = Field(
        default_factory=lambda: packaged("models") / "manifest.json", description="Default: the packaged one"
    )
    model_sources: list[SourceName] = Field(default_factory=lambda: list(DEFAULT_SOURCES))
    local_model_dirs: list[Path] = Field(default_factory=list, description="Searched by the 'local' source")
    hf_token: SecretStr | None = None
    hf_endpoint: str | None = Field(None, description="Hub mirror URL (default: the public hub)")
    auto_pull: bool = Field(True, description="`serve`/`brief` pull a missing manifest model first")
    device: str = Field("auto", description="transformers backend: auto|cpu|cuda")
    scripted_delay_s: float = Field(
        0.0, ge=0, description="scripted backend: seconds per generation (tests of slow, killable jobs)"
    )

    # --- llama.cpp -------------------------------------------------------------------------
    n_threads: int = Field(0, description="0 = all cores")
    n_ctx: int = 8192
    parallel: int = Field(1, ge=1, le=16, description="Concurrent model slots (= engine workers)")
    gpu_layers: int = Field(0, description="llama.cpp layers to offload to a GPU")

    # --- a serving engine (backend=openai: any OpenAI-compatible server; README "Serving engines") -
    engine_url: str = Field("http://127.0.0.1:8080", description="The engine's base URL (/v1 or not)")
    engine_api_key: SecretStr | None = Field(None, description="Bearer token for the engine (never logged)")
    engine_model: str | None = Field(None, description="Served model name; default: the first of /v1/models")
    engine_flavour: EngineFlavour = Field("auto", description="How to ask for constrained decoding")
    engine_timeout_s: float = Field(
        300.0, gt=0, description="One attempt's time limit (a CPU engine answers a long prompt slowly)"
    )
    engine_max_concurrency: int = Field(8, ge=1, le=256, description="Requests in flight to the engine")
    engine_retry_budget_s: float = Field(
        60.0, ge=0, description="Seconds one request may wait between retries (refused, timeouts, 429, 5xx)"
    )
    engine_max_attempts: int = Field(4, ge=1, le=20, description="Tries per request within the budget")

    # --- pipeline --------------------------------------------------------------------------
    prompts_dir: Path = Field(
        default_factory=lambda: packaged("prompts"), description="<version>/*.md inside; default: packaged"
    )
    # v2: instructions and label definitions before the article (docs/PERFORMANCE.md; prompts/README.md)
    prompt_version: str = "v2"
    glossary_path: Path | None = Field(None, description="Extra glossary TSV merged over the bundled one")
    chunk_chars: int = Field(3600, ge=300, description="Article characters per map step")
    # "asked": the model reads the title, the lead and the paragraphs some question is about (a
    # claim candidate, a figure, a bullet's sentence), with "……" where paragraphs are left out; the
    # rest is never prefilled. Prefill is most of a brief's time on a CPU (docs/PERFORMANCE.md).
    prompt_paragraphs: Literal["asked", "all"] = Field(
        "asked", description="Which paragraphs the model reads: those questions are about, or all"
    )
    max_claim_candidates: int = Field(8, ge=1)
    # Off by default: measured at code c7d300c (2026-11-22) it added 2 right and 2 wrong labels over
    # 16 articles, for 7% more model calls (docs/QUALITY.md).
    # Off by default: measured at code 62fbb2a (2026-11-30, eval/attribution dev half) the model named
    # the kind of a denied cue-less cause wrongly in 4 of 5 answers and found a denial where there was
    # none in the fifth; a wrong rejection misleads more than a missing one (docs/QUALITY.md).
    open_denials: bool = Field(
        False, description="Ask the model to name the cause a sentence denies when no cue word names it"
    )
    claim_label_followups: bool = Field(
        False, description="Ask yes/no about each candidate label the model left out of a causal answer"
    )
    max_key_figures: int = Field(6, ge=0)
    summary_bullets: int = Field(4, ge=1, le=5, description="Bullets asked for, one per source sentence")
    repair_attempts: int = Field(1, ge=0, le=3)
    to_simplified: bool = Field(True, description="Convert zh-Hant to zh-Hans before prompting")
    translate_samples: int = Field(
        1, ge=1, le=16, description="Translation candidates per sentence (>1: greedy + samples, MBR pick)"
    )
    translate_temperature: float = Field(0.7, gt=0, le=2, description="Temperature of the sampled candidates")

    # --- service ---------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=1, description="Larger requests get 413")
    min_text_chars: int = Field(
        MIN_TEXT_CHARS, ge=1, description="Fewer Chinese characters get 422 (brief and translate alike)"
    )
    max_body_bytes: int | None = Field(
        None,
        ge=1024,
        description="Larger request bodies get 413 as they arrive, before they are parsed (api/limits.py); "
        "default: room for max_text_chars JSON-escaped (6 bytes a character) and the other fields",
    )
    queue_size: int = Field(8, ge=1, description="Waiting briefs before 503")
    retry_after_s: int = 30
    warmup: bool = True

    # --- result cache (README "Cache"; what is in its key: cache.py) --------------------------
    cache_enabled: bool = Field(True, description="Answer a text briefed or translated before from the cache")
    cache_path: Path | None = Field(None, description="SQLite file; default: cache.sqlite3 beside model_dir")
    cache_max_entries: int = Field(10_000, ge=1, description="Stored results; least recently used go first")
    cache_max_bytes: int = Field(256_000_000, ge=1, description="Stored JSON; least recently used go first")

    # --- keys, quotas, metrics and logs (README "Keys, quotas and metrics") -----------------
    auth: Literal["none", "keys"] = Field(
        "none", description="keys: /v1/* (and /metrics if metrics_require_key) need an API key"
    )
    keys_path: Path | None = Field(None, description="API key file; default: keys.json by the model store")
    api_keys: list[KeyRecord] = Field(
        default_factory=list, description="Keys given as hashes: a JSON list of {name, sha256, ...}"
    )
    key_rate_per_min: int | None = Field(60, ge=1, description="Requests a minute, for keys that set none")
    key_daily_tokens: int | None = Field(
        None, ge=1, description="Model tokens a UTC day, for keys that set none (default: no limit)"
    )
    metrics_require_key: bool = Field(False, description="With auth=keys, GET /metrics needs a key too")
    log_format: Literal["json", "text"] = Field("json", description="`finbrief serve` log lines")

    # --- slack (README "Slack"). HTTP mode mounts /slack/events when the bot token and signing
    # secret are set; Socket Mode (`finbrief slack --socket`) needs the bot and app tokens. -----
    slack_bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-...)")
    slack_signing_secret: SecretStr | None = Field(None, description="Verifies /slack/events requests")
    slack_app_token: SecretStr | None = Field(None, description="App-level token (xapp-...) for Socket Mode")
    slack_api_url: str = Field("https://slack.com/api/", description="Web API base URL (tests: a fake)")
    slack_command: str = "/brief"
    slack_shortcut_id: str = Field("brief_in_english", description="callback_id of the message shortcut")
    slack_auto_channels: list[str] = Field(
        default_factory=list,
        description="Channel ids where long, mostly Chinese messages are briefed unasked",
    )
    slack_auto_min_chars: int = Field(300, ge=1, description="Chinese characters for an auto-brief")
    slack_auto_min_cjk_ratio: float = Field(0.5, ge=0.0, le=1.0, description="Share of Chinese characters")
    slack_progress_reaction: str = "eyes"
    slack_workers: int = Field(16, ge=1, description="Bolt listener threads; each waits on one brief")
    slack_queue_wait_s: float = Field(900, gt=0, description="How long a Slack brief waits for queue room")
    slack_rate_limit_retries: int = Field(5, ge=0, description="Web API retries after 429 (Retry-After)")
    slack_dedupe_ttl_s: float = Field(3600, gt=0, description="How long event/trigger ids are remembered")

    # --- fetching article URLs (Slack `/brief https://...`) ----------------------------------
    fetch_timeout_s: float = Field(10.0, gt=0, description="Whole fetch, redirects included")
    fetch_max_bytes: int = Field(3_000_000, ge=1)
    fetch_max_redirects: int = Field(3, ge=0)
    fetch_allow_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="Private/loopback/link-local networks fetches may reach anyway (e.g. an intranet mirror)",
    )
