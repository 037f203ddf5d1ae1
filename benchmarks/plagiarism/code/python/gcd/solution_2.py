def gcd(x, y):
    if y == 0:
        return x
    return gcd(y, x % y)


a = int(input("a = "))
b = int(input("b = "))
g = gcd(abs(a), abs(b))
print("GCD:", g)
if g != 0:
    print("LCM:", abs(a) * abs(b) // g)
else:
    print("LCM: 0")
