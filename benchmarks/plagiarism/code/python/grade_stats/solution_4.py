def stats(marks):
    lowest = highest = marks[0]
    total = 0
    for m in marks:
        total += m
        if m < lowest:
            lowest = m
        if m > highest:
            highest = m
    return total / len(marks), lowest, highest


count = int(input("How many students? "))
marks = []
for i in range(count):
    marks.append(int(input(f"mark of student {i + 1}: ")))
avg, lo, hi = stats(marks)
print("average", avg)
print("min", lo, "max", hi)
above = 0
for m in marks:
    if m > avg:
        above += 1
print(above, "students above average")
