# Print all prime numbers up to a limit and count them


def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def primes_up_to(limit):
    found = []
    for number in range(2, limit + 1):
        if is_prime(number):
            found.append(number)
    return found


def main():
    limit = int(input("Upper limit: "))
    primes = primes_up_to(limit)
    print("Primes:", primes)
    print("There are", len(primes), "primes up to", limit)


main()
