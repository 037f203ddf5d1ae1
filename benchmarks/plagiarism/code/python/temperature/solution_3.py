def convert(value, unit):
    if unit == "C":
        return value * 9 / 5 + 32, "F"
    if unit == "F":
        return (value - 32) * 5 / 9, "C"
    if unit == "K":
        return value - 273.15, "C"
    raise ValueError("unit must be C, F or K")


readings = ["21.5 C", "70 F", "300 K"]
for reading in readings:
    number, unit = reading.split()
    result, new_unit = convert(float(number), unit)
    print(f"{reading} -> {result:.2f} {new_unit}")
