PASS_MARK = 60

def summary():
    marks = collect()
    if len(marks) == 0:
        print('No grades entered'); return
    ok = 0
    for x in marks:
        if x >= PASS_MARK:
            ok += 1
    m = mean(marks)
    grade = to_letter(m)
    print('Average:', round(m, 2), grade)
    high = max(marks)
    low = min(marks)
    print('Highest:', high); print('Lowest:', low)
    print('Passed:', ok, 'of', len(marks))

def to_letter(points):
    # US style letter grade
    for limit, name in ((90, 'A'), (80, 'B'), (70, 'C'), (PASS_MARK, 'D')):
        if points >= limit:
            return name
    return 'F'

def mean(nums):
    total = sum(nums)
    return total/len(nums)

def collect():
    marks = []
    entry = input('Grade (empty to stop): ').strip()
    while entry != '':
        marks.append(float(entry))
        entry = input('Grade (empty to stop): ').strip()
    return marks

summary()
