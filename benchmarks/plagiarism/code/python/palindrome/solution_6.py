# Palindrome check: only letters and digits count, case is ignored


def clean(text):
    result = ""
    for c in text:
        if c.isalnum():
            result += c.lower()
    return result


def is_palindrome(text):
    s = clean(text)
    n = len(s)
    for i in range(n // 2):
        if s[i] != s[n - 1 - i]:
            return False
    return True


def main():
    phrase = input("Phrase: ")
    if is_palindrome(phrase):
        print("Palindrome")
    else:
        print("Not a palindrome")


main()
