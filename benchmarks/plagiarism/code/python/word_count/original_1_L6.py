def most_common(freq, k):
    # most frequent first
    ranked = sorted(freq.items(), key = lambda e: e[1], reverse = True)
    top = ranked[:k]
    return top

def tally(items):
    freq = {}
    for t in items:
        freq[t] = freq.get(t, 0) + 1
    return freq

def tokens(raw):
    import string
    # lower case and no punctuation
    raw = raw.lower()
    i = 0
    while i < len(string.punctuation):
        raw = raw.replace(string.punctuation[i], ' ')
        i += 1
    result = raw.split()
    return result

raw = input('Paste a text: ')
words = tokens(raw)
freq = tally(words)
distinct = len(freq)
print('Distinct words:', distinct)
for pair in most_common(freq, 5): print(pair[0], pair[1])
