def frequencies(line):
    # a dictionary vowel -> how often it appears
    freq = dict.fromkeys("aeiou", 0)
    lowered = line.lower()
    i = 0
    while i < len(lowered):
        c = lowered[i]
        if c in freq: freq[c] = freq[c] + 1
        i += 1
    return freq

def start():
    phrase = input("Enter a sentence: ")
    n = total_vowels(phrase)
    print("Number of vowels:", n)
    result = frequencies(phrase)
    for key in result: print(key, result[key])

def check_letter(c):
    LETTERS = "aeiou"   # the five vowels we look for
    small = c.lower()
    found = True if small in LETTERS else False
    return found

def total_vowels(line):
    # go through the text one character at a time
    total = 0
    for c in line:
        total += 1 if check_letter(c) else 0
    assert total <= len(line)
    return total

start()
