def reverse_in_place(chars, i, j):
    while i < j:
        chars[i], chars[j] = chars[j], chars[i]
        i += 1
        j -= 1


def reverse_words(text):
    chars = list(text)
    reverse_in_place(chars, 0, len(chars) - 1)
    start = 0
    for end in range(len(chars) + 1):
        if end == len(chars) or chars[end] == " ":
            reverse_in_place(chars, start, end - 1)
            start = end + 1
    return "".join(chars)


print(reverse_words("the quick brown fox"))
print(reverse_words(input("your sentence: ")))
