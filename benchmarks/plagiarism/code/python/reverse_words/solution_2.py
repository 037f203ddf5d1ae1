sentence = input()
print(" ".join(sentence.split()[::-1]))
print(" ".join(w[::-1] for w in sentence.split()))
