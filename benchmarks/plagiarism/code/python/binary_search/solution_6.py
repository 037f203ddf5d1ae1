# Sort some numbers and look one up with binary search


def read_numbers():
    line = input("Enter numbers separated by spaces: ")
    numbers = []
    for x in line.split():
        numbers.append(int(x))
    return sorted(numbers)


def binary_search(numbers, target):
    low = 0
    high = len(numbers) - 1
    while low <= high:
        mid = (low + high) // 2
        if numbers[mid] < target:
            low = mid + 1
        elif numbers[mid] > target:
            high = mid - 1
        else:
            return mid
    return -1


numbers = read_numbers()
print("Sorted:", numbers)
target = int(input("Target: "))
pos = binary_search(numbers, target)
if pos == -1:
    print(target, "is not in the list")
else:
    print(target, "is at index", pos)
