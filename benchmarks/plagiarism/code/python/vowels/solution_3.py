from collections import Counter


def vowel_counts(s):
    counts = Counter(c for c in s.lower() if c in "aeiou")
    return counts


def main():
    s = input()
    counts = vowel_counts(s)
    print("total", sum(counts.values()))
    for v in "aeiou":
        print(v, counts.get(v, 0))


if __name__ == "__main__":
    main()
