"""The analytic sampling discrepancy against its definition, and its null distribution."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genguard.detection.curvature import discrepancy, logprob_ratio, token_statistics, window_discrepancies


def _naive(logits: torch.Tensor, labels: torch.Tensor) -> np.ndarray:
    """The reference code's formulas, in float64."""
    lp = torch.log_softmax(logits.double(), dim=-1)
    p = lp.exp()
    mean = (p * lp).sum(-1)
    var = (p * lp * lp).sum(-1) - mean**2
    ll = lp.gather(-1, labels[:, None])[:, 0]
    return torch.stack([ll, mean, var], dim=-1).numpy()


def test_token_statistics_match_the_reference_formulas():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(64, 5000, generator=gen) * 4 + 10  # large offsets: the max shift matters
    labels = torch.randint(0, 5000, (64,), generator=gen)
    got = token_statistics(logits, labels).numpy()
    want = _naive(logits, labels)
    assert np.allclose(got[:, :2], want[:, :2], atol=2e-4)
    assert np.allclose(got[:, 2], want[:, 2], atol=2e-3, rtol=1e-4)


def test_sampled_tokens_give_a_standard_normal_discrepancy_and_argmax_a_large_one():
    # Tokens drawn from the model's own distribution: E[ll - mean] = 0 and Var = sum var, so D over
    # many texts has mean 0 and sd 1; the most likely token at every position is far above.
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(200 * 40, 200, generator=gen) * 2.5  # 200 texts of 40 tokens
    sampled = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)[:, 0]
    texts = token_statistics(logits, sampled).numpy().reshape(200, 40, 3)
    best = token_statistics(logits, logits.argmax(-1)).numpy().reshape(200, 40, 3)
    draws = [discrepancy(t) for t in texts]
    greedy = [discrepancy(t) for t in best]
    assert abs(np.mean(draws)) < 0.25
    assert 0.8 < np.std(draws) < 1.2
    assert min(greedy) > 5


def test_windows_equal_the_discrepancy_of_their_slice_and_edge_cases():
    rng = np.random.default_rng(2)
    stats = np.column_stack([rng.normal(-3, 1, 50), rng.normal(-3, 1, 50), rng.uniform(1, 5, 50)])
    starts, values = window_discrepancies(stats, 16, 8)
    assert starts.tolist() == [0, 8, 16, 24, 32, 34]  # the last window ends at the end
    for s, v in zip(starts, values, strict=True):
        assert v == pytest.approx(discrepancy(stats[s : s + 16]))
    assert window_discrepancies(stats[:10], 16, 8)[0].size == 0
    assert np.isnan(discrepancy(np.empty((0, 3))))
    assert np.isnan(discrepancy(np.array([[0.0, 0.0, 0.0]])))  # certain everywhere: no spread
    assert logprob_ratio(np.array([[-2.0, -4.0, 1.0]])) == pytest.approx(0.5)
