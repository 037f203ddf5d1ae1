# Check whether a phrase is a palindrome, ignoring spaces and case


def clean(text):
    letters = ""
    for ch in text:
        if ch.isalnum():
            letters += ch.lower()
    return letters


def is_palindrome(text):
    s = clean(text)
    left = 0
    right = len(s) - 1
    while left < right:
        if s[left] != s[right]:
            return False
        left += 1
        right -= 1
    return True


phrase = input("Enter a phrase: ")
if is_palindrome(phrase):
    print("It is a palindrome")
else:
    print("It is not a palindrome")
