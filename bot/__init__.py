"""DealPilot bot process: adapters, router, runtime services shared by every skill."""

from __future__ import annotations

import os

# Telemetry-off defaults must be in place before chromadb / onnxruntime are imported anywhere,
# and nothing may reach a model hub at run time. setdefault keeps an operator's explicit choice.
for _key, _value in {
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_key, _value)

__all__ = ["__version__"]
__version__ = "0.1.0"
