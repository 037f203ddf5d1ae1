FREEZING_F = 32
RATIO = 9 / 5

print("F".rjust(6), "C".rjust(8))
for fahrenheit in range(0, 220, 20):
    celsius = (fahrenheit - FREEZING_F) / RATIO
    print(str(fahrenheit).rjust(6), format(celsius, ".2f").rjust(8))

week = [14.0, 16.5, 19.0, 21.5, 18.0, 15.5, 13.0]
average_c = sum(week) / len(week)
print("average this week:", round(average_c * RATIO + FREEZING_F, 1), "F")
