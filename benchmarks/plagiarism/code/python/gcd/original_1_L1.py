def gcd(a, b):
    # Euclid's algorithm
    while b != 0:
        remainder = a % b
        a = b; b = remainder
    return a

def lcm(a, b):
    if a == 0 or b == 0: return 0
    return abs(a*b) // gcd(a, b)

def read_number(prompt):
    # negative numbers are turned positive
    value = int(input(prompt))
    if value < 0: value = -value
    return value

def main():
    x = read_number("First number: ")
    y = read_number("Second number: ")
    print("gcd =", gcd(x, y)); print("lcm =", lcm(x, y))

main()
