def bsearch(lst, item):
    first, last = 0, len(lst)
    steps = 0
    while first < last:
        steps += 1
        centre = (first + last) // 2
        if lst[centre] < item:
            first = centre + 1
        else:
            last = centre
    found = first < len(lst) and lst[first] == item
    return (first if found else -1), steps


sorted_list = list(range(0, 100, 7))
n = int(input("number: "))
index, steps = bsearch(sorted_list, n)
print("index", index, "after", steps, "steps")
