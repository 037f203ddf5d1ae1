"""The benchmark's light paraphraser: seeded, meaning-keeping edits."""

from genguard.detection.paraphrase import paraphrase


def test_paraphrase_is_seeded_and_edits_listed_words_and_sentence_order():
    text = (
        "The big city began to grow. Many people said it was very important. However, the old house stayed."
    )
    a, b = paraphrase(text, seed=3), paraphrase(text, seed=3)
    assert a == b != text
    assert paraphrase(text, seed=3, swap=0.0, reorder=0.0) == text
    swapped = paraphrase(text, swap=1.0, reorder=0.0)
    assert swapped.startswith("The large town started to grow. Numerous persons stated")  # case kept
    reordered = paraphrase(text, swap=0.0, reorder=1.0)
    assert reordered.startswith("Many people said it was very important. The big city")
    assert paraphrase("Zebra xylophone quartz.", swap=1.0) == "Zebra xylophone quartz."
