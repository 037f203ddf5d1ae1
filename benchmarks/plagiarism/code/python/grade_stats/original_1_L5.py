PASS_MARK = 60

def summary():
    marks = collect()
    if not marks:
        print('No grades entered'); return
    ok = [x for x in marks if x >= PASS_MARK]
    m = mean(marks)
    grade = to_letter(m)
    print('Average:', round(m, 2), grade)
    high = max(marks)
    low = min(marks)
    print('Highest:', high); print('Lowest:', low)
    print('Passed:', len(ok), 'of', len(marks))

def to_letter(points):
    # US style letter grade
    if points >= 90: return 'A'
    elif points >= 80: return 'B'
    elif points >= 70: return 'C'
    elif points >= PASS_MARK: return 'D'
    return 'F'

def mean(nums):
    total = sum(nums)
    return total/len(nums)

def collect():
    marks = []
    while True:
        entry = input('Grade (empty to stop): ').strip()
        if entry == '': break
        marks.append(float(entry))
    return marks

summary()
