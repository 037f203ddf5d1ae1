def get_numbers():
    line = input('Numbers: ')
    values = [int(v) for v in line.split()]
    values.sort()
    return values

def program():
    arr = get_numbers()
    print('Sorted:', arr)
    x = int(input('Search for: '))
    where = find(arr, x)
    if where == -1: print(x, 'not found')
    else: print(x, 'found at index', where)

def find(seq, wanted):
    middle = 0
    if not seq:
        return -1
    lo, hi = 0, len(seq)-1
    while lo <= hi:
        middle = (lo+hi)//2   # middle index
        current = seq[middle]
        if current == wanted: return middle
        elif current < wanted: lo = middle+1
        else: hi = middle-1
    return -1   # not in the list

program()
