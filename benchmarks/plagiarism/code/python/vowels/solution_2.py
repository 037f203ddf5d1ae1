text = input("Type something: ").lower()
vowels = 0
for letter in text:
    if letter in ("a", "e", "i", "o", "u"):
        vowels = vowels + 1
print("Vowels:", vowels)
