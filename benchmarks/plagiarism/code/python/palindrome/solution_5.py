def is_palindrome(s):
    letters = ""
    for c in s.lower():
        if c.isalnum():
            letters = letters + c
    i = 0
    j = len(letters) - 1
    while i < j:
        if letters[i] != letters[j]:
            return False
        i = i + 1
        j = j - 1
    return True


s = input("Enter a word or phrase: ")
if is_palindrome(s):
    print(s, "is a palindrome")
else:
    print(s, "is not a palindrome")
