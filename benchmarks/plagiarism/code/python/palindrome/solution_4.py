def reverse(text):
    result = ""
    for letter in text:
        result = letter + result
    return result


def main():
    original = input("Please type a word or sentence: ")
    simplified = original.replace(" ", "").lower()
    backwards = reverse(simplified)
    print("Reversed:", backwards)
    if simplified == backwards:
        print("Palindrome!")
    else:
        print("Not a palindrome.")


main()
