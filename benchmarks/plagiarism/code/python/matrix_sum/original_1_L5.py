def show(grid):
    for line in grid:
        text = ' '.join(str(cell) for cell in line)
        print(text)

def plus(left, right):
    # element by element
    total = []
    line = []
    for r in range(len(left)):
        line = []
        for c in range(len(left[r])):
            s = left[r][c]+right[r][c]
            line.append(s)
        total.append(line)
    return total

def load(height, width):
    grid = []
    for _ in range(height):
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
