def entry():
    top = int(input('Upper limit: '))
    lst = list_primes(top)
    count = len(lst)
    print('Primes:', lst)
    print('There are', count, 'primes up to', top)

def list_primes(top):
    res = []
    candidate = 2
    while candidate <= top:
        if prime_check(candidate): res.append(candidate)
        candidate += 1
    return res

def prime_check(x):
    if x < 2: return False
    if x == 2: return True
    for d in range(2, int(x ** 0.5) + 1):   # only up to the square root
        remainder = x % d
        if remainder == 0: return False
    return True

entry()
