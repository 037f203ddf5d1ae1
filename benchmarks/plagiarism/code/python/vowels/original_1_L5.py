def frequencies(line):
    # a dictionary vowel -> how often it appears
    freq = {}
    lowered = line.lower()
    for letter in "aeiou": freq[letter] = 0
    for c in lowered:
        if c in freq: freq[c] += 1
    return freq

def start():
    phrase = input("Enter a sentence: ")
    n = total_vowels(phrase)
    print("Number of vowels:", n)
    result = frequencies(phrase)
    for key, amount in result.items(): print(key, amount)

def check_letter(c):
    LETTERS = "aeiou"   # the five vowels we look for
    small = c.lower()
    found = small in LETTERS
    return found

def total_vowels(line):
    # go through the text one character at a time
    total = 0
    for c in line:
        if check_letter(c): total += 1
    assert total <= len(line)
    return total

start()
