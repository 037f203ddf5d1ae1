def check(sentence):
    i, j = 0, 0
    word = normalise(sentence)
    if len(word) <= 1:
        return True
    j = len(word)-1
    # compare from both ends towards the middle
    for i in range(len(word) // 2):
        if word[i] != word[j - i]:
            return False
    return True

def normalise(sentence):
    # keep only letters and digits, in lower case
    kept = ''
    k = 0
    while k < len(sentence):
        c = sentence[k]
        if c.isalnum():
            low = c.lower()
            kept += low
        k = k + 1
    return kept

user_text = input('Enter a phrase: ')
answer = check(user_text)
print('It is a palindrome' if answer else 'It is not a palindrome')
