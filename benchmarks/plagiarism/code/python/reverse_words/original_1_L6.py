def go():
    s = input('Enter a sentence: ')
    s = s.strip()
    print('Words reversed:', flip_order(s))
    mirror = [backwards(token) for token in s.split()]
    joined = ' '.join(mirror)
    print('Each word mirrored:', joined)

def flip_order(line):
    flipped = []
    parts = line.split()
    idx = len(parts) - 1
    while idx >= 0:
        flipped.append(parts[idx])
        idx -= 1
    sentence = ' '.join(flipped)
    return sentence

def backwards(token):
    # build the word backwards character by character
    out = ''
    n = len(token)
    pos = n - 1
    while pos >= 0:
        out = out + token[pos]
        pos = pos - 1
    return out

go()
