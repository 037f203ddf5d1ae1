def most_common(freq, k):
    # most frequent first
    ranked = sorted(freq.items(), key = lambda e: e[1], reverse = True)
    return ranked[:k]

def tally(items):
    freq = {}
    for t in items:
        if t in freq: freq[t] += 1
        else: freq[t] = 1
    return freq

def tokens(raw):
    import string
    # lower case and no punctuation
    raw = raw.lower()
    for p in string.punctuation: raw = raw.replace(p, ' ')
    return raw.split()

raw = input('Paste a text: ')
freq = tally(tokens(raw))
print('Distinct words:', len(freq))
for t, c in most_common(freq, 5): print(t, c)
