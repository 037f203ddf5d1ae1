def check(sentence):
    i, j = 0, 0
    word = normalise(sentence)
    if len(word) <= 1:
        return True
    j = len(word)-1
    # compare from both ends towards the middle
    while i < j:
        if word[i] != word[j]: return False
        i += 1
        j -= 1
    return True

def normalise(sentence):
    # keep only letters and digits, in lower case
    kept = ''
    for c in sentence:
        if c.isalnum():
            low = c.lower()
            kept += low
    return kept

user_text = input('Enter a phrase: ')
answer = check(user_text)
if answer: print('It is a palindrome')
else: print('It is not a palindrome')
