def normalise(sentence):
    # keep only letters and digits, in lower case
    kept = ''
    for c in sentence:
        if c.isalnum(): kept += c.lower()
    return kept

def check(sentence):
    word = normalise(sentence)
    i = 0
    j = len(word)-1
    # compare from both ends towards the middle
    while i < j:
        if word[i] != word[j]: return False
        i += 1
        j -= 1
    return True

user_text = input('Enter a phrase: ')
if check(user_text): print('It is a palindrome')
else: print('It is not a palindrome')
