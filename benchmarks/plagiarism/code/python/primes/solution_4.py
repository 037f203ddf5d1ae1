def next_prime(after, known):
    candidate = after + 1
    while any(candidate % p == 0 for p in known if p * p <= candidate):
        candidate += 1
    return candidate


def first_primes(how_many):
    primes = []
    current = 1
    while len(primes) < how_many:
        current = next_prime(current, primes)
        primes.append(current)
    return primes


amount = int(input("How many primes do you want? "))
for position, prime in enumerate(first_primes(amount), start=1):
    print(f"{position}: {prime}")
