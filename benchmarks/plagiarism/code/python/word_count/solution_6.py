# Word frequencies of a text, most common first

import string


def get_words(text):
    text = text.lower()
    for p in string.punctuation:
        text = text.replace(p, " ")
    return text.split()


def count_words(words):
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts


text = input("Enter a text: ")
counts = count_words(get_words(text))
print("Different words:", len(counts))
items = list(counts.items())
items.sort(key=lambda pair: pair[1], reverse=True)
for word, n in items[:5]:
    print(word, n)
