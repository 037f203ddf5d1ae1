def load(height, width):
    grid = []
    for _ in range(height):
        parts = input().split()
        values = [int(p) for p in parts[:width]]   # ignore extra numbers
        grid.append(values)
    return grid

def plus(left, right):
    # element by element
    total = []
    line = []
    for r in range(len(left)):
        line = []
        for c in range(len(left[r])): line.append(left[r][c]+right[r][c])
        total.append(line)
    return total

def show(grid):
    for line in grid: print(' '.join(str(cell) for cell in line))

height = int(input('rows: '))
width = int(input('cols: '))
m1 = load(height, width)
m2 = load(height, width)
show(plus(m1, m2))
