def clean_word(w):
    return "".join(ch for ch in w.lower() if ch.isalpha())


def frequency(lines):
    table = {}
    for line in lines:
        for raw in line.split():
            w = clean_word(raw)
            if w:
                table[w] = table.get(w, 0) + 1
    return table


lines = []
while True:
    line = input()
    if line == "END":
        break
    lines.append(line)
table = frequency(lines)
for w in sorted(table):
    print(w, table[w])
