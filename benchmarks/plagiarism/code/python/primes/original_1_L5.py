def entry():
    top = int(input('Upper limit: '))
    lst = list_primes(top)
    count = len(lst)
    print('Primes:', lst)
    print('There are', count, 'primes up to', top)

def list_primes(top):
    res = []
    for candidate in range(2, top+1):
        if prime_check(candidate): res.append(candidate)
    return res

def prime_check(x):
    d = 2
    if x < 2: return False
    if x == 2: return True
    while d*d <= x:   # only up to the square root
        remainder = x % d
        if remainder == 0: return False
        d += 1
    return True

entry()
