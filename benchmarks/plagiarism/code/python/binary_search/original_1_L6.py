def get_numbers():
    line = input('Numbers: ')
    values = sorted(int(v) for v in line.split())
    return values

def program():
    arr = get_numbers()
    print('Sorted:', arr)
    x = int(input('Search for: '))
    where = find(arr, x)
    if where != -1: print(x, 'found at index', where)
    else: print(x, 'not found')

def find(seq, wanted):
    middle = 0
    if not seq:
        return -1
    lo, hi = 0, len(seq)-1
    while True:
        if lo > hi:
            break
        middle = (lo+hi)//2   # middle index
        current = seq[middle]
        if current == wanted: return middle
        if current < wanted: lo = middle+1
        else: hi = middle-1
    return -1   # not in the list

program()
