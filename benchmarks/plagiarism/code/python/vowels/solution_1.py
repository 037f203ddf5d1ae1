# Count the vowels in a sentence typed by the user.

VOWELS = "aeiou"


def is_vowel(ch):
    return ch.lower() in VOWELS


def count_vowels(text):
    count = 0
    for ch in text:
        if is_vowel(ch):
            count += 1
    return count


def vowel_table(text):
    table = {}
    for v in VOWELS:
        table[v] = 0
    for ch in text.lower():
        if ch in table:
            table[ch] += 1
    return table


def main():
    sentence = input("Enter a sentence: ")
    print("Number of vowels:", count_vowels(sentence))
    for vowel, n in vowel_table(sentence).items():
        print(vowel, n)


main()
