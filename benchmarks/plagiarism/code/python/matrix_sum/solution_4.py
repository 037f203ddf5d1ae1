class Matrix:
    def __init__(self, data):
        self.data = data
        self.rows = len(data)
        self.cols = len(data[0]) if data else 0

    def __add__(self, other):
        cells = []
        for r in range(self.rows):
            cells.append([self.data[r][c] + other.data[r][c] for c in range(self.cols)])
        return Matrix(cells)

    def __str__(self):
        return "\n".join("\t".join(map(str, row)) for row in self.data)


size = int(input("size of the square matrices: "))
first = Matrix([[int(v) for v in input().split()] for _ in range(size)])
second = Matrix([[int(v) for v in input().split()] for _ in range(size)])
print(first + second)
