def greatest(m, n):
    # Euclid's algorithm
    while n != 0:
        rest = m % n
        m = n; n = rest
    return m

def smallest_multiple(m, n):
    if m == 0 or n == 0: return 0
    return abs(m*n) // greatest(m, n)

def ask(message):
    # negative numbers are turned positive
    num = int(input(message))
    if num < 0: num = -num
    return num

def program():
    first = ask("First number: ")
    second = ask("Second number: ")
    print("gcd =", greatest(first, second)); print("lcm =", smallest_multiple(first, second))

program()
