# Count all vowels in a sentence and each vowel separately

VOWELS = "aeiou"


def count_vowels(text):
    count = 0
    for c in text.lower():
        if c in VOWELS:
            count += 1
    return count


def count_each(text):
    counts = {}
    for v in VOWELS:
        counts[v] = text.lower().count(v)
    return counts


def main():
    text = input("Sentence: ")
    print("Vowels:", count_vowels(text))
    counts = count_each(text)
    for v in VOWELS:
        print(v + ":", counts[v])


main()
