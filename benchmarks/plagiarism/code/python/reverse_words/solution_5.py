def reverse(s):
    reversed_s = ""
    for i in range(len(s) - 1, -1, -1):
        reversed_s = reversed_s + s[i]
    return reversed_s


def reverse_order(sentence):
    words = sentence.split()
    result = []
    for i in range(len(words) - 1, -1, -1):
        result.append(words[i])
    return " ".join(result)


sentence = input("Type a sentence: ")
print("Reversed order:", reverse_order(sentence))
result = ""
for word in sentence.split():
    result = result + reverse(word) + " "
print("Reversed words:", result.strip())
