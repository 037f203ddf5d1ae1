def matrix_sum(x, y):
    if len(x) != len(y):
        raise ValueError("different sizes")
    out = []
    for row_x, row_y in zip(x, y):
        out.append([p + q for p, q in zip(row_x, row_y)])
    return out


def total_of(matrix):
    s = 0
    for row in matrix:
        for value in row:
            s += value
    return s


a = [[1, 2, 3], [4, 5, 6]]
b = [[6, 5, 4], [3, 2, 1]]
c = matrix_sum(a, b)
print(c)
print("sum of all elements:", total_of(c))
