# Read grades until an empty line and print statistics


def read_grades():
    grades = []
    while True:
        line = input("Grade (empty to stop): ")
        if line == "":
            break
        grades.append(float(line))
    return grades


def average(values):
    return sum(values) / len(values)


def letter(score):
    if score >= 90:
        return "A"
    elif score >= 80:
        return "B"
    elif score >= 70:
        return "C"
    elif score >= 60:
        return "D"
    return "F"


def main():
    grades = read_grades()
    if not grades:
        print("No grades entered")
        return
    avg = average(grades)
    print("Average:", round(avg, 2), letter(avg))
    print("Highest:", max(grades))
    print("Lowest:", min(grades))
    passed = [g for g in grades if g >= 60]
    print("Passed:", len(passed), "of", len(grades))


main()
