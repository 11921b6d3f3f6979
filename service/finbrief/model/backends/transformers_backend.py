"""transformers + torch backend: HF checkpoints or GGUF (dequantized by transformers' loader), CPU or CUDA.

It batches for real (left padding, one forward pass per step for the whole batch). It cannot enforce
GBNF grammars; it does enforce `ban_cjk` with a logits mask, and the pipeline's parsing and
verification catch everything else (that is what they are for).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import ModelNotReady
from ...text.script import has_cjk as _has_cjk
from .base import GenerationRequest, GenerationResult

log = logging.getLogger(__name__)


def _tokenizer_class(path: Path, default: Any) -> Any:
    """Honour a checkpoint that declares a plain fast tokenizer (our tiny test model does):
    transformers >= 5 otherwise picks the tokenizer by model type and rebuilds its pipeline."""
    import json

    from transformers import PreTrainedTokenizerFast

    cfg = path / "tokenizer_config.json"
    if cfg.is_file() and json.loads(cfg.read_text()).get("tokenizer_class") == "PreTrainedTokenizerFast":
        return PreTrainedTokenizerFast
    return default


class TransformersBackend:
    name = "transformers"

    def __init__(
        self, model_path: Path, model_id: str, model_sha256: str | None, *, device: str = "auto"
    ) -> None:
        self.model_path = model_path
        self.model_id = model_id
        self.model_sha256 = model_sha256
        self.device_setting = device
        self._model: Any = None
        self._tok: Any = None
        self._cjk_ids: Any = None

    def _ensure(self) -> tuple[Any, Any]:
        if self._model is None:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = self.device_setting
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            kwargs: dict[str, Any] = {}
            path = self.model_path
            if path.is_file() and path.suffix == ".gguf":
                kwargs["gguf_file"] = path.name
                path = path.parent
            try:
                tok = _tokenizer_class(path, AutoTokenizer).from_pretrained(str(path), **kwargs)
                model = AutoModelForCausalLM.from_pretrained(
                    str(path), dtype=torch.float32 if device == "cpu" else torch.float16, **kwargs
                )
            except Exception as exc:
                raise ModelNotReady(f"transformers could not load {self.model_path}: {exc}") from exc
            tok.padding_side = "left"
            if tok.pad_token is None:
                tok.pad_token = tok.eos_token
            self._model, self._tok = model.to(device).eval(), tok  # type: ignore[arg-type]
            self._cjk_ids = torch.tensor(
                [i for i in range(len(tok)) if _has_cjk(tok.decode([i]))], dtype=torch.long, device=device
            )
        return self._model, self._tok

    def warmup(self) -> None:
        self._ensure()
        self.generate([GenerationRequest(system="", user="OK", max_tokens=1, tag="warmup")])

    def count_tokens(self, text: str) -> int:
        _, tok = self._ensure()
        return len(tok(text, add_special_tokens=False)["input_ids"])

    def _prompt(self, tok: Any, req: GenerationRequest) -> str:
        messages = ([{"role": "system", "content": req.system}] if req.system else []) + [
            {"role": "user", "content": req.user}
        ]
        return str(tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        import torch
        from transformers import LogitsProcessor, LogitsProcessorList

        model, tok = self._ensure()
        if not batch:
            return []
        ban_rows = [i for i, r in enumerate(batch) if r.ban_cjk]
        cjk_ids = self._cjk_ids

        class BanCJK(LogitsProcessor):
            def __call__(self, input_ids: Any, scores: Any) -> Any:
                if ban_rows and len(cjk_ids):
                    scores[torch.tensor(ban_rows)[:, None], cjk_ids[None, :]] = -float("inf")
                return scores

        started = time.perf_counter()
        enc = tok([self._prompt(tok, r) for r in batch], return_tensors="pt", padding=True).to(model.device)
        max_new = max(r.max_tokens for r in batch)
        greedy = all(r.temperature == 0 for r in batch)
        if not greedy:
            torch.manual_seed(batch[0].seed)  # one generator per batch: the batch's first seed
        with torch.inference_mode():
            out = model.generate(
                **enc,
                max_new_tokens=max_new,
                do_sample=not greedy,
                temperature=None if greedy else max(r.temperature for r in batch),
                top_p=None,
                top_k=None,
                logits_processor=LogitsProcessorList([BanCJK()]),
                pad_token_id=tok.pad_token_id,
            )
        seconds = time.perf_counter() - started
        results = []
        prompt_len = enc["input_ids"].shape[1]
        for i, req in enumerate(batch):
            new = out[i, prompt_len:][: req.max_tokens]
            ids = [int(t) for t in new if int(t) != tok.pad_token_id]
            eos = tok.eos_token_id
            hit_eos = eos is not None and eos in ids
            if hit_eos:
                ids = ids[: ids.index(eos)]
            results.append(
                GenerationResult(
                    text=tok.decode(ids, skip_special_tokens=True),
                    prompt_tokens=int(enc["attention_mask"][i].sum()),
                    completion_tokens=len(ids),
                    finish_reason="stop" if hit_eos else "length",
                    seconds=seconds,
                )
            )
        return results

    def close(self) -> None:
        self._model = self._tok = None
