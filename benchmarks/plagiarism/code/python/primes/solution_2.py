def sieve(n):
    marks = [True] * (n + 1)
    marks[0] = marks[1] = False
    p = 2
    while p * p <= n:
        if marks[p]:
            for multiple in range(p * p, n + 1, p):
                marks[multiple] = False
        p += 1
    return [k for k, prime in enumerate(marks) if prime]


N = int(input("N: "))
result = sieve(N)
print(len(result), "primes:", *result)
