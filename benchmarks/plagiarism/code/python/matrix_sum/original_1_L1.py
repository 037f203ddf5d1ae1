def read_matrix(rows, cols):
    matrix = []
    for r in range(rows):
        line = input().split()
        row = [int(x) for x in line[:cols]]   # ignore extra numbers
        matrix.append(row)
    return matrix

def add_matrices(a, b):
    # element by element
    result = []
    for i in range(len(a)):
        row = []
        for j in range(len(a[i])): row.append(a[i][j]+b[i][j])
        result.append(row)
    return result

def print_matrix(m):
    for row in m: print(' '.join(str(v) for v in row))

rows = int(input('rows: ')); cols = int(input('cols: '))
first = read_matrix(rows, cols)
second = read_matrix(rows, cols)
print_matrix(add_matrices(first, second))
