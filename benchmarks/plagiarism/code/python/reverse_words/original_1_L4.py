def go():
    mirror = []
    s = input('Enter a sentence: ')
    print('Words reversed:', flip_order(s))
    for token in s.split(): mirror.append(backwards(token))
    print('Each word mirrored:', ' '.join(mirror))

def flip_order(line):
    flipped = []
    parts = line.split()
    for token in parts: flipped.insert(0, token)   # put each word in front
    return ' '.join(flipped)

def backwards(token):
    # build the word backwards character by character
    out = ''
    for pos in range(len(token)-1, -1, -1): out += token[pos]
    return out

go()
