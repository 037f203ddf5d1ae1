# Print a Celsius to Fahrenheit table and convert one value back


def fahrenheit_to_celsius(f):
    return (f - 32) * 5 / 9


def celsius_to_fahrenheit(c):
    return 9 * c / 5 + 32


def print_table(low, high, step):
    print("Celsius  Fahrenheit")
    for c in range(low, high + 1, step):
        print(f"{c:7} {celsius_to_fahrenheit(c):10.1f}")


def main():
    print_table(-20, 40, 10)
    f = float(input("Fahrenheit: "))
    print(f"Celsius: {fahrenheit_to_celsius(f):.1f}")


main()
