def read_grades():
    grades = []
    line = input("Enter a grade (blank line to finish): ")
    while line != "":
        grades.append(float(line))
        line = input("Enter a grade (blank line to finish): ")
    return grades


def average(grades):
    total = 0
    for g in grades:
        total += g
    return total / len(grades)


def letter_grade(avg):
    if avg >= 90:
        return "A"
    elif avg >= 80:
        return "B"
    elif avg >= 70:
        return "C"
    elif avg >= 60:
        return "D"
    else:
        return "F"


grades = read_grades()
if len(grades) == 0:
    print("No grades were entered.")
else:
    avg = average(grades)
    print("Average:", round(avg, 2), "(" + letter_grade(avg) + ")")
    print("Highest:", max(grades))
    print("Lowest:", min(grades))
    passed = 0
    for g in grades:
        if g >= 60:
            passed += 1
    print("Passed:", passed, "out of", len(grades))
