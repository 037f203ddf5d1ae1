import string

def words_of(text):
    # lower case and no punctuation
    text = text.lower()
    for mark in string.punctuation: text = text.replace(mark, ' ')
    return text.split()

def count_words(words):
    counts = {}
    for word in words:
        if word in counts: counts[word] += 1
        else: counts[word] = 1
    return counts

def top_words(counts, n):
    # most frequent first
    pairs = sorted(counts.items(), key = lambda item: item[1], reverse = True)
    return pairs[:n]

text = input('Paste a text: ')
counts = count_words(words_of(text))
print('Distinct words:', len(counts))
for word, times in top_words(counts, 5): print(word, times)
