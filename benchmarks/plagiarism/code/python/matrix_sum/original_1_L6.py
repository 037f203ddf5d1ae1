def show(grid):
    for line in grid:
        text = ' '.join(str(cell) for cell in line)
        print(text)

def add_row(a, b):
    line = []
    c = 0
    while c < len(a):
        s = a[c]+b[c]
        line.append(s)
        c += 1
    return line

def plus(left, right):
    # element by element
    total = []
    for r in range(len(left)):
        total.append(add_row(left[r], right[r]))
    return total

def load(height, width):
    grid = []
    while len(grid) < height:
        parts = input().split()
        values = [int(p) for p in parts[:width]]   # ignore extra numbers
        grid.append(values)
    return grid

height = int(input('rows: '))
width = int(input('cols: '))
m1 = load(height, width)
m2 = load(height, width)
result = plus(m1, m2)
show(result)
