def prime_check(x):
    if x < 2: return False
    d = 2
    while d*d <= x:   # only up to the square root
        if x % d == 0: return False
        d += 1
    return True

def list_primes(top):
    res = []
    for candidate in range(2, top+1):
        if prime_check(candidate): res.append(candidate)
    return res

def entry():
    top = int(input('Upper limit: '))
    lst = list_primes(top)
    print('Primes:', lst)
    print('There are', len(lst), 'primes up to', top)

entry()
