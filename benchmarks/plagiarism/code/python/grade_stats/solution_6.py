# Grade statistics: average with its letter, best, worst and passes


def average(grades):
    return sum(grades) / len(grades)


def letter(grade):
    if grade >= 90:
        return "A"
    elif grade >= 80:
        return "B"
    elif grade >= 70:
        return "C"
    elif grade >= 60:
        return "D"
    return "F"


def main():
    grades = []
    while True:
        text = input("Grade: ").strip()
        if text == "":
            break
        grades.append(float(text))
    if not grades:
        print("No grades")
        return
    avg = average(grades)
    print(f"Average: {avg:.2f} {letter(avg)}")
    print("Highest:", max(grades))
    print("Lowest:", min(grades))
    passed = len([g for g in grades if g >= 60])
    print("Passed:", passed, "of", len(grades))


main()
