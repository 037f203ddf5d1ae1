LETTERS = "aeiou"   # the five vowels we look for

def check_letter(c):
    return c.lower() in LETTERS

def total_vowels(line):
    # go through the text one character at a time
    total = 0
    for c in line:
        if check_letter(c): total += 1
    return total

def frequencies(line):
    # a dictionary vowel -> how often it appears
    freq = {}
    for letter in LETTERS: freq[letter] = 0
    for c in line.lower():
        if c in freq: freq[c] += 1
    return freq

def start():
    phrase = input("Enter a sentence: ")
    print("Number of vowels:", total_vowels(phrase))
    for key, amount in frequencies(phrase).items(): print(key, amount)

start()
