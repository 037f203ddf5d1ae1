# Reverse the order of the words in a sentence, and each word too


def reverse_word(word):
    result = ""
    for i in range(len(word) - 1, -1, -1):
        result += word[i]
    return result


def reverse_sentence(sentence):
    words = sentence.split()
    reversed_words = []
    for word in words:
        reversed_words.insert(0, word)
    return " ".join(reversed_words)


def main():
    text = input("Enter a sentence: ")
    print("Words reversed:", reverse_sentence(text))
    mirrored = []
    for word in text.split():
        mirrored.append(reverse_word(word))
    print("Each word mirrored:", " ".join(mirrored))


main()
