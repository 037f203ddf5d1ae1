# Euclid's algorithm for the gcd, and the lcm from it


def gcd(a, b):
    while b != 0:
        r = a % b
        a = b
        b = r
    return a


def lcm(a, b):
    if a == 0 or b == 0:
        return 0
    return abs(a * b) // gcd(a, b)


def read_int(prompt):
    n = int(input(prompt))
    return abs(n)


def main():
    a = read_int("a = ")
    b = read_int("b = ")
    print(f"gcd({a}, {b}) = {gcd(a, b)}")
    print(f"lcm({a}, {b}) = {lcm(a, b)}")


main()
