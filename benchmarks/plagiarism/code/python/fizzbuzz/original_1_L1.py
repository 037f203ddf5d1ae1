def fizzbuzz_word(number):
    # the word for a single number
    if number % 15 == 0: return 'FizzBuzz'
    elif number % 3 == 0: return 'Fizz'
    elif number % 5 == 0: return 'Buzz'
    else: return str(number)

def fizzbuzz(limit):
    # collect every word from 1 up to limit
    results = []
    for i in range(1, limit+1):
        results.append(fizzbuzz_word(i))
    return results

def main():
    n = int(input('How many numbers? '))
    for word in fizzbuzz(n): print(word)

if __name__ == '__main__':
    main()
