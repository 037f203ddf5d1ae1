import string


def strip_punctuation(s):
    return "".join(c for c in s if c not in string.punctuation and c != " ")


def palindrome(s):
    if len(s) < 2:
        return True
    if s[0] != s[-1]:
        return False
    return palindrome(s[1:-1])


for line in ["Racecar", "Never odd or even", "hello"]:
    candidate = strip_punctuation(line).lower()
    print(line, "->", palindrome(candidate))
