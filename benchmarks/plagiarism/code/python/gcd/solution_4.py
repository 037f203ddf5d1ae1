import math


class Fraction:
    def __init__(self, top, bottom):
        divisor = self.euclid(top, bottom)
        self.top = top // divisor
        self.bottom = bottom // divisor

    @staticmethod
    def euclid(u, v):
        u, v = abs(u), abs(v)
        while v:
            u, v = v, u % v
        return u

    def __str__(self):
        return f"{self.top}/{self.bottom}"


n1 = int(input())
n2 = int(input())
print("gcd", Fraction.euclid(n1, n2), "check", math.gcd(n1, n2))
print("reduced", Fraction(n1, n2))
