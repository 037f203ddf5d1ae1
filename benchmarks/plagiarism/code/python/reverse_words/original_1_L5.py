def go():
    mirror = []
    s = input('Enter a sentence: ')
    s = s.strip()
    print('Words reversed:', flip_order(s))
    for token in s.split(): mirror.append(backwards(token))
    joined = ' '.join(mirror)
    print('Each word mirrored:', joined)

def flip_order(line):
    flipped = []
    parts = line.split()
    for token in parts: flipped.insert(0, token)   # put each word in front
    sentence = ' '.join(flipped)
    return sentence

def backwards(token):
    # build the word backwards character by character
    out = ''
    n = len(token)
    for pos in range(n-1, -1, -1): out += token[pos]
    return out

go()
