def read_matrix(n, m):
    matrix = []
    for i in range(n):
        row = list(map(int, input().split()))
        matrix.append(row[:m])
    return matrix


n = int(input("Number of rows: "))
m = int(input("Number of columns: "))
print("First matrix:")
a = read_matrix(n, m)
print("Second matrix:")
b = read_matrix(n, m)
result = []
for i in range(n):
    row = []
    for j in range(m):
        row.append(a[i][j] + b[i][j])
    result.append(row)
print("Sum:")
for row in result:
    for value in row:
        print(value, end=" ")
    print()
