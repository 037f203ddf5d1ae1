def ask(message):
    # negative numbers are turned positive
    num = int(input(message))
    if num < 0: num = -num
    return num

def smallest_multiple(m, n):
    if m == 0 or n == 0: return 0
    return abs(m*n) // greatest(m, n)

def greatest(m, n):
    # Euclid's algorithm
    rest = 0
    while n != 0:
        rest = m % n
        m = n; n = rest
    return m

def program():
    first = ask("First number: ")
    second = ask("Second number: ")
    g = greatest(first, second)
    print("gcd =", g); print("lcm =", smallest_multiple(first, second))

program()
