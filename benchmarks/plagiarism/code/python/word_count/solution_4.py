def longest_and_most_frequent(sentence):
    words = sentence.lower().replace(",", "").replace(".", "").split()
    best_word, best_count = None, 0
    seen = []
    for w in words:
        if w in seen:
            continue
        seen.append(w)
        c = words.count(w)
        if c > best_count:
            best_word, best_count = w, c
    longest = max(words, key=len)
    return best_word, best_count, longest


s = input("Sentence: ")
word, count, longest = longest_and_most_frequent(s)
print("most frequent:", word, "x", count)
print("longest word:", longest)
print("number of words:", len(s.split()))
