import math


def is_prime(n):
    if n <= 1:
        return False
    for i in range(2, int(math.sqrt(n)) + 1):
        if n % i == 0:
            return False
    return True


limit = int(input("Enter the limit: "))
count = 0
print("Primes:", end="")
for i in range(2, limit + 1):
    if is_prime(i):
        print(" " + str(i), end="")
        count += 1
print()
print("Number of primes up to", limit, ":", count)
