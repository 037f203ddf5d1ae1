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
    print("Number of vowels:", total_vowels(phrase))
    for key, amount in frequencies(phrase).items(): print(key, amount)

def check_letter(c):
    LETTERS = "aeiou"   # the five vowels we look for
    return c.lower() in LETTERS

def total_vowels(line):
    # go through the text one character at a time
    total = 0
    for c in line:
        if check_letter(c): total += 1
    return total

start()
