def count_vowels(word):
    """Counts vowels in a word, y is not a vowel here."""
    result = 0
    index = 0
    while index < len(word):
        character = word[index]
        if character in "AEIOUaeiou":
            result += 1
        index += 1
    return result


sentence = input("Sentence: ")
total = 0
for w in sentence.split():
    c = count_vowels(w)
    print(w, "has", c, "vowels")
    total += c
print("In total:", total)
