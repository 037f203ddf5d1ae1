# Read two matrices of the same size and print their sum


def read_matrix(rows, cols):
    matrix = []
    for i in range(rows):
        values = input().split()
        matrix.append([int(v) for v in values[:cols]])
    return matrix


def add(a, b):
    rows = len(a)
    cols = len(a[0])
    result = []
    for i in range(rows):
        result.append([])
        for j in range(cols):
            result[i].append(a[i][j] + b[i][j])
    return result


def show(matrix):
    for row in matrix:
        print("\t".join(str(x) for x in row))


rows = int(input("Rows: "))
cols = int(input("Columns: "))
a = read_matrix(rows, cols)
b = read_matrix(rows, cols)
show(add(a, b))
