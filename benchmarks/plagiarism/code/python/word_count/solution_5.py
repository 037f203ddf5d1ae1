def count_words(text):
    counts = {}
    for ch in ".,;:!?\"'()-":
        text = text.replace(ch, "")
    for w in text.lower().split():
        if w in counts:
            counts[w] = counts[w] + 1
        else:
            counts[w] = 1
    return counts


text = input("Enter some text: ")
counts = count_words(text)
print("Number of different words:", len(counts))
keys = sorted(counts, key=lambda k: counts[k], reverse=True)
for i in range(min(5, len(keys))):
    print(keys[i] + ":", counts[keys[i]])
