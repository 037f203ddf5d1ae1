import sys

RULES = [(3, "Fizz"), (5, "Buzz")]


def convert(x):
    word = "".join(name for divisor, name in RULES if x % divisor == 0)
    return word or str(x)


def main(argv):
    upper = int(argv[1]) if len(argv) > 1 else 100
    lines = [convert(x) for x in range(1, upper + 1)]
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
