# List the primes up to a limit using trial division


def is_prime(number):
    if number < 2:
        return False
    d = 2
    while d * d <= number:
        if number % d == 0:
            return False
        d += 1
    return True


def find_primes(maximum):
    primes = []
    for n in range(2, maximum + 1):
        if is_prime(n):
            primes.append(n)
    return primes


def main():
    maximum = int(input("Limit: "))
    primes = find_primes(maximum)
    print("Primes up to", maximum, ":", primes)
    print("Count:", len(primes))


main()
