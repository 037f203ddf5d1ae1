def find(seq, wanted):
    lo = 0
    hi = len(seq)-1
    while lo <= hi:
        middle = (lo+hi)//2   # middle index
        if seq[middle] == wanted: return middle
        elif seq[middle] < wanted: lo = middle+1
        else: hi = middle-1
    return -1   # not in the list

def get_numbers():
    values = [int(v) for v in input('Numbers: ').split()]
    values.sort()
    return values

def program():
    arr = get_numbers()
    print('Sorted:', arr)
    x = int(input('Search for: '))
    where = find(arr, x)
    if where == -1: print(x, 'not found')
    else: print(x, 'found at index', where)

program()
