def gcd(a, b):
    while b > 0:
        a, b = b, a % b
    return a


def lcm(a, b):
    if a == 0 or b == 0:
        return 0
    return a * b // gcd(a, b)


a = abs(int(input("Enter the first number: ")))
b = abs(int(input("Enter the second number: ")))
print("GCD:", gcd(a, b))
print("LCM:", lcm(a, b))
