"""Ray Data jobs for corpora beyond one machine (optional extra: `pip install genguard[pipeline]`).

Importing this package does not import ray; each job imports it when it runs and raises
ConfigError naming the extra when ray is missing.
"""

from genguard.pipeline.dedup import ray_dedup_jsonl, require_ray

__all__ = ["ray_dedup_jsonl", "require_ray"]
