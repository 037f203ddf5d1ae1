def is_vowel(c):
    c = c.lower()
    return c == "a" or c == "e" or c == "i" or c == "o" or c == "u"


def count_vowels(s):
    count = 0
    for c in s:
        if is_vowel(c):
            count += 1
    return count


s = input("Enter a sentence: ")
print("The sentence has", count_vowels(s), "vowels")
vowels = "aeiou"
counts = [0, 0, 0, 0, 0]
for c in s.lower():
    index = vowels.find(c)
    if index != -1:
        counts[index] += 1
for i in range(5):
    print(vowels[i], "=", counts[i])
