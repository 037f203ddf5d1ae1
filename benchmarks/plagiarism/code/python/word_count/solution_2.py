from collections import Counter
import re

text = open("input.txt").read()
words = re.findall(r"[a-z']+", text.lower())
counter = Counter(words)
print("total words:", len(words))
for word, n in counter.most_common(10):
    print(f"{word:>15} {n}")
