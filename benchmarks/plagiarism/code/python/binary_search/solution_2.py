def search(arr, x, start, end):
    if start > end:
        return None
    half = start + (end - start) // 2
    if arr[half] == x:
        return half
    if x < arr[half]:
        return search(arr, x, start, half - 1)
    return search(arr, x, half + 1, end)


nums = [3, 8, 15, 21, 42, 57, 63, 77, 90]
for q in (21, 5, 90):
    i = search(nums, q, 0, len(nums) - 1)
    print(q, "->", "missing" if i is None else i)
