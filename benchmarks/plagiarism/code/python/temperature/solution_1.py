# Conversion table between Celsius and Fahrenheit


def celsius_to_fahrenheit(c):
    return c * 9 / 5 + 32


def fahrenheit_to_celsius(f):
    return (f - 32) * 5 / 9


def print_table(start, stop, step):
    print("Celsius  Fahrenheit")
    c = start
    while c <= stop:
        print(f"{c:7} {celsius_to_fahrenheit(c):10.1f}")
        c += step


def main():
    print_table(-20, 40, 10)
    value = float(input("Temperature in Fahrenheit: "))
    print("In Celsius:", round(fahrenheit_to_celsius(value), 1))


main()
