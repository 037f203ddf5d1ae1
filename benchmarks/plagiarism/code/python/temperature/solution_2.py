choice = input("Convert (C)elsius to Fahrenheit or (F)ahrenheit to Celsius? ").upper()
temp = float(input("Temperature: "))
if choice == "C":
    print(temp, "C =", temp * 1.8 + 32, "F")
elif choice == "F":
    print(temp, "F =", (temp - 32) / 1.8, "C")
else:
    print("Unknown choice")
