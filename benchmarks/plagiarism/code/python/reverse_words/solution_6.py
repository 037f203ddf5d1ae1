# Lab: reverse a sentence word by word


def reverse_word(word):
    letters = []
    for ch in word:
        letters.insert(0, ch)
    return "".join(letters)


def reverse_sentence(words):
    result = []
    i = len(words) - 1
    while i >= 0:
        result.append(words[i])
        i -= 1
    return " ".join(result)


def main():
    line = input("Enter a sentence: ")
    words = line.split()
    print("Words in reverse order:", reverse_sentence(words))
    mirrored = [reverse_word(w) for w in words]
    print("Every word reversed:", " ".join(mirrored))


main()
