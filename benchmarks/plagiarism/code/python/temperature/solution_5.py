def to_fahrenheit(celsius):
    return celsius * 9.0 / 5.0 + 32


def to_celsius(fahrenheit):
    return (fahrenheit - 32) * 5.0 / 9.0


print("Celsius\tFahrenheit")
for c in range(-20, 41, 10):
    print(c, "\t", to_fahrenheit(c))
f = float(input("Enter a temperature in Fahrenheit: "))
c = to_celsius(f)
print(f, "F is", round(c, 1), "C")
