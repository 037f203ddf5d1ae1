# FizzBuzz up to a number chosen by the user


def get_word(i):
    if i % 15 == 0:
        return "FizzBuzz"
    if i % 3 == 0:
        return "Fizz"
    if i % 5 == 0:
        return "Buzz"
    return str(i)


def fizzbuzz(n):
    words = []
    for i in range(1, n + 1):
        words.append(get_word(i))
    return words


def main():
    n = int(input("Up to which number? "))
    for word in fizzbuzz(n):
        print(word)


main()
