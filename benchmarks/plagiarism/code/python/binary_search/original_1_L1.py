def binary_search(items, target):
    low = 0
    high = len(items)-1
    while low <= high:
        mid = (low+high)//2   # middle index
        if items[mid] == target: return mid
        elif items[mid] < target: low = mid+1
        else: high = mid-1
    return -1   # not in the list

def read_list():
    numbers = [int(x) for x in input('Numbers: ').split()]
    numbers.sort()
    return numbers

def main():
    data = read_list()
    print('Sorted:', data)
    key = int(input('Search for: '))
    pos = binary_search(data, key)
    if pos == -1: print(key, 'not found')
    else: print(key, 'found at index', pos)

main()
