"""DealPilot bot process: adapters, router, runtime services shared by every skill."""

from __future__ import annotations

import os

# Telemetry-off defaults must be in place before chromadb / onnxruntime are imported anywhere,
# and nothing may reach a model hub at run time. setdefault keeps an operator's explicit choice.
# One BLAS thread: our matrix products are small (10k x 384), and OpenBLAS worker threads spinning
# after each one starve the embedder's own threads — measured: query p95 106 ms -> 19 ms at 10k chunks.
for _key, _value in {
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}.items():
    os.environ.setdefault(_key, _value)

__all__ = ["__version__"]
__version__ = "0.1.0"
