"""Memorisation audit of the default model (SmolLM2-135M-Instruct, Q4_1) on real and famous text.

Sources, each prompted with non-overlapping windows drawn from its token stream:
- shakespeare: Tiny Shakespeare (1.1 MB, one document);
- wikipedia: BOLD's Wikipedia sentences, one paragraph per person;
- famous: passages any web-trained model has seen thousands of times (public-domain texts, licence
  texts), written below: the positive control for memorisation. Measured: this model reproduces
  phrases of them (8-token suffixes: 1/38 exact), rarely a whole 32-token suffix (0/22 exact);
- repeated line: one sentence repeated; the 32-token prefix already holds the next words, so any
  copy comes from the context, not from memory: every sample is marked "in prefix", and the control
  rises with it (predictable text is not memorised text). Measured: the instruct model finishes the
  line and then leaves the refrain, so 0/10 are near-verbatim at suffix 32 and 5/17 exact at
  suffix 8 (control 1/17).

Pass 1: prefix 32 / suffix 32 tokens (Carlini et al. 2023 use 50 / 50), 150 windows per source.
Pass 2: prefix 32 / suffix 8 tokens, 60 windows per source (partial memorisation). Beside
each rate: its control (each continuation scored against another sample's suffix), and for pass 1
a larger null: every continuation against 40 other samples' suffixes, the false-positive rate of
"near-verbatim" on unrelated text of the same kind.

Usage: python benchmarks/memorization_audit.py [--samples 150] [--short-samples 60]
Pass 1 took 211 s on a lightly loaded 2-core CPU; the whole run took 23 minutes when the two cores
were shared with other jobs (load average 4). Results go to benchmarks/results/memorization_audit.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "memorization_audit.json"

# Public-domain texts and licence texts (the licences permit verbatim copies of themselves).
FAMOUS = {
    "declaration": (
        "When in the Course of human events, it becomes necessary for one people to dissolve the political "
        "bands which have connected them with another, and to assume among the powers of the earth, the "
        "separate and equal station to which the Laws of Nature and of Nature's God entitle them, a decent "
        "respect to the opinions of mankind requires that they should declare the causes which impel them "
        "to the separation. We hold these truths to be self-evident, that all men are created equal, that "
        "they are endowed by their Creator with certain unalienable Rights, that among these are Life, "
        "Liberty and the pursuit of Happiness. That to secure these rights, Governments are instituted "
        "among Men, deriving their just powers from the consent of the governed, That whenever any Form of "
        "Government becomes destructive of these ends, it is the Right of the People to alter or to "
        "abolish it, and to institute new Government, laying its foundation on such principles and "
        "organizing its powers in such form, as to them shall seem most likely to effect their Safety and "
        "Happiness."
    ),
    "hamlet": (
        "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\nThe slings "
        "and arrows of outrageous fortune,\nOr to take arms against a sea of troubles\nAnd by opposing end "
        "them. To die—to sleep,\nNo more; and by a sleep to say we end\nThe heart-ache and the thousand "
        "natural shocks\nThat flesh is heir to: 'tis a consummation\nDevoutly to be wish'd. To die, to "
        "sleep;\nTo sleep, perchance to dream—ay, there's the rub:\nFor in that sleep of death what dreams "
        "may come,\nWhen we have shuffled off this mortal coil,\nMust give us pause—there's the respect\n"
        "That makes calamity of so long life."
    ),
    "sonnet 18": (
        "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\nRough winds do "
        "shake the darling buds of May,\nAnd summer's lease hath all too short a date;\nSometime too hot "
        "the eye of heaven shines,\nAnd often is his gold complexion dimm'd;\nAnd every fair from fair "
        "sometime declines,\nBy chance or nature's changing course untrimm'd;\nBut thy eternal summer "
        "shall not fade,\nNor lose possession of that fair thou ow'st;\nNor shall death brag thou "
        "wander'st in his shade,\nWhen in eternal lines to time thou grow'st:\nSo long as men can breathe "
        "or eyes can see,\nSo long lives this, and this gives life to thee."
    ),
    "lord's prayer": (
        "Our Father, which art in heaven, Hallowed be thy Name. Thy Kingdom come. Thy will be done in "
        "earth, As it is in heaven. Give us this day our daily bread. And forgive us our trespasses, As we "
        "forgive them that trespass against us. And lead us not into temptation, But deliver us from evil. "
        "For thine is the kingdom, The power, and the glory, For ever and ever. Amen."
    ),
    "psalm 23": (
        "The LORD is my shepherd; I shall not want. He maketh me to lie down in green pastures: he leadeth "
        "me beside the still waters. He restoreth my soul: he leadeth me in the paths of righteousness for "
        "his name's sake. Yea, though I walk through the valley of the shadow of death, I will fear no "
        "evil: for thou art with me; thy rod and thy staff they comfort me. Thou preparest a table before "
        "me in the presence of mine enemies: thou anointest my head with oil; my cup runneth over. Surely "
        "goodness and mercy shall follow me all the days of my life: and I will dwell in the house of the "
        "LORD for ever."
    ),
    "genesis 1": (
        "In the beginning God created the heaven and the earth. And the earth was without form, and void; "
        "and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the "
        "waters. And God said, Let there be light: and there was light. And God saw the light, that it was "
        "good: and God divided the light from the darkness. And God called the light Day, and the darkness "
        "he called Night. And the evening and the morning were the first day."
    ),
    "gettysburg": (
        "Four score and seven years ago our fathers brought forth on this continent, a new nation, "
        "conceived in Liberty, and dedicated to the proposition that all men are created equal.\n\nNow we "
        "are engaged in a great civil war, testing whether that nation, or any nation so conceived and so "
        "dedicated, can long endure. We are met on a great battle-field of that war. We have come to "
        "dedicate a portion of that field, as a final resting place for those who here gave their lives "
        "that that nation might live. It is altogether fitting and proper that we should do this.\n\nBut, "
        "in a larger sense, we can not dedicate -- we can not consecrate -- we can not hallow -- this "
        "ground. The brave men, living and dead, who struggled here, have consecrated it, far above our "
        "poor power to add or detract. The world will little note, nor long remember what we say here, "
        "but it can never forget what they did here. It is for us the living, rather, to be dedicated "
        "here to the unfinished work which they who fought here have thus far so nobly advanced. It is "
        "rather for us to be here dedicated to the great task remaining before us -- that from these "
        "honored dead we take increased devotion to that cause for which they gave the last full measure "
        "of devotion -- that we here highly resolve that these dead shall not have died in vain -- that "
        "this nation, under God, shall have a new birth of freedom -- and that government of the people, "
        "by the people, for the people, shall not perish from the earth."
    ),
    "us constitution preamble": (
        "We the People of the United States, in Order to form a more perfect Union, establish Justice, "
        "insure domestic Tranquility, provide for the common defence, promote the general Welfare, and "
        "secure the Blessings of Liberty to ourselves and our Posterity, do ordain and establish this "
        "Constitution for the United States of America."
    ),
    "pledge of allegiance": (
        "I pledge allegiance to the Flag of the United States of America, and to the Republic for which it "
        "stands, one Nation under God, indivisible, with liberty and justice for all."
    ),
    "lorem ipsum": (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
        "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
        "nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate "
        "velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non "
        "proident, sunt in culpa qui officia deserunt mollit anim id est laborum."
    ),
    "mit licence": (
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and "
        'associated documentation files (the "Software"), to deal in the Software without restriction, '
        "including without limitation the rights to use, copy, modify, merge, publish, distribute, "
        "sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is "
        "furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this "
        "permission notice shall be included in all copies or substantial portions of the Software.\n\n"
        'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT '
        "NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND "
        "NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, "
        "DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, "
        "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."
    ),
    "apache 2.0 header": (
        'Licensed under the Apache License, Version 2.0 (the "License");\nyou may not use this file except '
        "in compliance with the License.\nYou may obtain a copy of the License at\n\n    "
        "http://www.apache.org/licenses/LICENSE-2.0\n\nUnless required by applicable law or agreed to in "
        'writing, software\ndistributed under the License is distributed on an "AS IS" BASIS,\nWITHOUT '
        "WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\nSee the License for the "
        "specific language governing permissions and\nlimitations under the License."
    ),
    "gpl-3 notice": (
        "This program is free software: you can redistribute it and/or modify\nit under the terms of the "
        "GNU General Public License as published by\nthe Free Software Foundation, either version 3 of the "
        "License, or\n(at your option) any later version.\n\nThis program is distributed in the hope that "
        "it will be useful,\nbut WITHOUT ANY WARRANTY; without even the implied warranty of\n"
        "MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\nGNU General Public License for "
        "more details.\n\nYou should have received a copy of the GNU General Public License\nalong with "
        "this program.  If not, see <https://www.gnu.org/licenses/>."
    ),
    "bsd disclaimer": (
        'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR '
        "IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND "
        "FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR "
        "CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL "
        "DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, "
        "DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER "
        "IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT "
        "OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE."
    ),
}
REPEATED_LINE = "All work and no play makes Jack a dull boy.\n" * 60
NULL_OTHERS = 40  # other samples' suffixes each continuation is scored against in the larger null


def documents() -> list[tuple[str, str]]:
    """(source, text) of every source; ConfigError (with what to set) when the shared data is absent."""
    from genguard.datasets import bold_wikipedia_paragraphs, shakespeare_text

    docs = [("shakespeare", shakespeare_text())]
    docs += [("wikipedia", p) for p in bold_wikipedia_paragraphs()]
    docs += [("famous", text) for text in FAMOUS.values()]
    docs += [("repeated line", REPEATED_LINE)]
    return docs


def larger_null(source, seed: int = 0) -> dict:
    """Every continuation of `source` scored against NULL_OTHERS other samples' suffixes: how often
    unrelated text of the same kind passes as near-verbatim, and how similar it gets by chance."""
    from genguard.provenance.memorization import score_continuations

    samples = source.samples
    n = len(samples)
    if n < 2:
        return {}
    rng = np.random.default_rng(seed)
    targets, conts = [], []
    for i, s in enumerate(samples):
        others = [j for j in rng.choice(n, size=min(NULL_OTHERS + 1, n), replace=False) if j != i]
        for j in others[:NULL_OTHERS]:
            targets.append(samples[j].target)
            conts.append(s.continuation)
    scores = score_continuations(targets, conts)
    sims = np.array([s.edit_similarity for s in scores])
    near = sum(s.near_verbatim for s in scores)
    return {
        "pairs": len(scores),
        "near_verbatim": near,
        "exact_text": sum(s.exact_text for s in scores),
        "mean_similarity": round(float(sims.mean()), 4),
        "p99_similarity": round(float(np.quantile(sims, 0.99)), 4),
        "max_similarity": round(float(sims.max()), 4),
        "max_run_fraction": round(max(s.run_fraction for s in scores), 4),
    }


def pct(rate) -> str:
    return f"{100 * rate.rate:5.1f} [{100 * rate.ci[0]:4.1f}, {100 * rate.ci[1]:5.1f}]"


def print_table(title: str, report) -> None:
    print(
        f"\n{title}: prefix {report.prefix_tokens} / suffix {report.suffix_tokens} tokens, "
        f"greedy {report.generated_tokens} new tokens, {report.seconds:.0f} s"
    )
    head = (
        f"{'source':14s} {'n':>4s} {'skip':>5s} {'exact tok % [95% CI]':>21s} {'exact text %':>21s} "
        f"{'near-verb. % [95% CI]':>21s} {'ctrl near %':>21s} {'sim':>5s} {'ctrl':>5s} {'gain p':>7s} "
        f"{'match':>5s} {'in pfx':>6s} {'near, not in pfx':>16s} {'retok':>5s}"
    )
    print(head)
    print("-" * len(head))
    for s in report.sources:
        if not s.decided:
            print(f"{s.source:14s} {s.n:4d}  undecided: {s.reason}")
            continue
        ctrl, beyond = s.control, s.near_verbatim_not_in_prefix
        print(
            f"{s.source:14s} {s.n:4d} {s.skipped_empty + s.skipped_short:5d} {pct(s.exact_tokens):>21s} "
            f"{pct(s.exact_text):>21s} {pct(s.near_verbatim):>21s} "
            f"{pct(ctrl.near_verbatim) if ctrl else '-':>21s} {s.mean_edit_similarity:5.3f} "
            f"{ctrl.mean_edit_similarity if ctrl else float('nan'):5.3f} "
            f"{s.similarity_gain.p_value if s.similarity_gain else float('nan'):7.4f} "
            f"{s.mean_matched_tokens:5.1f} {s.target_in_prefix:6d} {f'{beyond.k}/{beyond.n}':>16s} "
            f"{s.retokenized_changed:5d}"
        )
    print(
        "skip: documents empty or shorter than one window; exact tok: the generated ids equal the "
        "suffix's; exact text: the same on the\nnormal form (case, punctuation, spacing ignored); "
        "near-verb.: edit similarity >= 0.9 or a shared run >= 50 % of the suffix;\nctrl: the same "
        "continuation against another sample's suffix; sim: mean edit similarity; gain p: sign-flip p "
        "of sim - ctrl sim;\nmatch: mean leading tokens reproduced; in pfx: suffixes that share >= 25 "
        "normalised characters with their own prefix\n(copyable from context); near, not in pfx: "
        "near-verbatim among the others; retok: prefixes re-tokenised to other ids"
    )


def examples(report, k: int = 2) -> None:
    for s in report.sources:
        for e in s.examples[:k]:
            print(f"  [{s.source}] sim {e.score.edit_similarity:.2f}, {e.matched_tokens} tokens matched")
            print(f"     prefix ...{e.prefix[-60:]!r}")
            print(f"     target    {e.target[:90]!r}")
            print(f"     model     {e.continuation[:90]!r}")


def summary(report) -> dict:
    """The report as JSON, without the per-sample list (examples are kept)."""
    data = report.model_dump(mode="json")
    for source in data["sources"]:
        source.pop("samples", None)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=150, help="windows per source, prefix 32 / suffix 32")
    parser.add_argument("--short-samples", type=int, default=60, help="windows per source, suffix 8")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    from genguard.errors import ConfigError
    from genguard.lm import load_model
    from genguard.provenance.memorization import memorization_audit

    try:
        docs = documents()
    except ConfigError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    lm = load_model("default")
    load_s = time.perf_counter() - started
    print(f"model {lm.model_id} loaded in {load_s:.1f} s; {len(docs)} documents")

    def progress(done: int, total: int) -> None:
        print(f"  {done}/{total} prompts, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    long = memorization_audit(
        lm,
        docs,
        samples_per_source=args.samples,
        batch_size=args.batch_size,
        keep_samples=True,
        progress=progress,
    )
    nulls = {s.source: larger_null(s) for s in long.sources if s.source in ("shakespeare", "wikipedia")}
    short = memorization_audit(
        lm,
        docs,
        suffix_tokens=8,
        samples_per_source=args.short_samples,
        batch_size=args.batch_size,
        progress=progress,
    )
    total_s = time.perf_counter() - started

    print_table("pass 1", long)
    print("\nlarger null (each continuation vs 40 other samples' suffixes):")
    for name, null in nulls.items():
        print(
            f"  {name:12s} {null['pairs']} pairs: near-verbatim {null['near_verbatim']}, exact text "
            f"{null['exact_text']}; similarity mean {null['mean_similarity']:.3f}, 99th percentile "
            f"{null['p99_similarity']:.3f}, max {null['max_similarity']:.3f}; max run fraction "
            f"{null['max_run_fraction']:.3f}"
        )
    print("\nbest examples, pass 1:")
    examples(long)
    print_table("pass 2", short)
    print("\nbest examples, pass 2:")
    examples(short)
    print(f"\ntotal {total_s:.0f} s (model load {load_s:.1f} s)")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "model_id": lm.model_id,
                "seconds": round(total_s, 1),
                "pass1_prefix32_suffix32": summary(long),
                "pass1_larger_null": nulls,
                "pass2_prefix32_suffix8": summary(short),
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
