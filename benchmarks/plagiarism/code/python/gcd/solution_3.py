def common_divisor(first, second):
    smaller = min(first, second)
    best = 1
    for d in range(1, smaller + 1):
        if first % d == 0 and second % d == 0:
            best = d
    return best


def common_multiple(first, second):
    return first * second // common_divisor(first, second)


numbers = input("Two positive numbers separated by a space: ").split()
p, q = int(numbers[0]), int(numbers[1])
print(f"gcd({p}, {q}) = {common_divisor(p, q)}")
print(f"lcm({p}, {q}) = {common_multiple(p, q)}")
