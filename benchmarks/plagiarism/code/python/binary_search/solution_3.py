import bisect

values = sorted(map(int, input("Enter numbers separated by spaces: ").split()))
target = int(input("Which number? "))
idx = bisect.bisect_left(values, target)
if idx < len(values) and values[idx] == target:
    print("Found", target, "at position", idx)
else:
    print(target, "is not in the list; it would go at position", idx)
