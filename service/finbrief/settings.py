"""Runtime configuration. One object, built once at the edge (CLI / app factory) and passed in."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BackendName = Literal["llamacpp", "transformers", "scripted"]  # scripted: canned answers, for tests
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

    # --- pipeline --------------------------------------------------------------------------
    prompts_dir: Path = Field(
        default_factory=lambda: packaged("prompts"), description="<version>/*.md inside; default: packaged"
    )
    prompt_version: str = "v1"
    glossary_path: Path | None = Field(None, description="Extra glossary TSV merged over the bundled one")
    chunk_chars: int = Field(3600, ge=300, description="Article characters per map step")
    max_claim_candidates: int = Field(8, ge=1)
    # Off by default: measured at code c7d300c (2026-11-22) it added 2 right and 2 wrong labels over
    # 16 articles, for 7% more model calls (docs/QUALITY.md).
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
    max_text_chars: int = Field(60_000, description="Larger requests get 413")
    min_text_chars: int = 20
    queue_size: int = Field(8, ge=1, description="Waiting briefs before 503")
    retry_after_s: int = 30
    warmup: bool = True

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
