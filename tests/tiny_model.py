"""A tiny model for tests: the real Qwen2 architecture with random weights and a tokenizer trained
offline with sentencepiece. It exercises the transformers backend end to end (tokenize, chat
template, batched generation, CJK ban) in seconds, with no download."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]


def build_tiny_model(out_dir: Path, corpus: Iterable[str], *, vocab_size: int = 3000, seed: int = 0) -> Path:
    import sentencepiece as spm
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    out_dir.mkdir(parents=True, exist_ok=True)
    model_proto = io.BytesIO()
    # English letters and JSON punctuation are forced into the vocabulary so the model *can*
    # emit valid JSON; byte fallback covers everything else.
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for text in corpus for line in text.splitlines() if line.strip()]),
        model_writer=model_proto,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=0.995,
        byte_fallback=True,
        user_defined_symbols=[*SPECIALS, *list('{}[]":,')],
        num_threads=1,
    )
    spm_path = out_dir / "sentencepiece.model"  # not "tokenizer.model": loaders would re-convert it
    spm_path.write_bytes(model_proto.getvalue())
    # Rebuild the trained unigram model as a fast tokenizer from its pieces and scores (public
    # APIs of both libraries; no protobuf needed).
    sp = spm.SentencePieceProcessor(model_proto=model_proto.getvalue())
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    fast = Tokenizer(models.Unigram(pieces, unk_id=sp.unk_id(), byte_fallback=True))
    fast.pre_tokenizer = pre_tokenizers.Metaspace()
    fast.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace()])
    tok = PreTrainedTokenizerFast(tokenizer_object=fast, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tok.chat_template = CHAT_TEMPLATE
    tok.save_pretrained(out_dir)
    cfg_path = out_dir / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"  # see backends/transformers_backend.py
    cfg_path.write_text(json.dumps(cfg, indent=1))

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tok),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    Qwen2ForCausalLM(config).save_pretrained(out_dir)
    return out_dir
