def ask(message):
    # negative numbers are turned positive
    text = input(message)
    num = abs(int(text))
    return num

def smallest_multiple(m, n):
    if m == 0 or n == 0: return 0
    product = abs(m*n)
    return product // greatest(m, n)

def greatest(m, n):
    # Euclid's algorithm
    rest = 0
    while True:
        if n == 0:
            break
        rest = m % n
        m, n = n, rest
    return m

def program():
    first = ask("First number: ")
    second = ask("Second number: ")
    g = greatest(first, second)
    l = smallest_multiple(first, second)
    print("gcd =", g); print("lcm =", l)

program()
