def binary_search(arr, key):
    left, right = 0, len(arr) - 1
    while left <= right:
        middle = (left + right) // 2
        if arr[middle] == key:
            return middle
        if arr[middle] < key:
            left = middle + 1
        else:
            right = middle - 1
    return -1


n = int(input("How many numbers? "))
arr = []
for i in range(n):
    arr.append(int(input("Number: ")))
arr.sort()
print("Sorted list:", arr)
key = int(input("Number to find: "))
index = binary_search(arr, key)
if index >= 0:
    print("Found at position", index)
else:
    print("Not found")
