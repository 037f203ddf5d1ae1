# FizzBuzz: print the numbers 1..n, replacing multiples of 3 and 5


def fizzbuzz_word(number):
    """Return the FizzBuzz word for one number."""
    if number % 15 == 0:
        return "FizzBuzz"
    elif number % 3 == 0:
        return "Fizz"
    elif number % 5 == 0:
        return "Buzz"
    else:
        return str(number)


def fizzbuzz(limit):
    results = []
    for i in range(1, limit + 1):
        results.append(fizzbuzz_word(i))
    return results


def main():
    n = int(input("How many numbers? "))
    for word in fizzbuzz(n):
        print(word)


if __name__ == "__main__":
    main()
