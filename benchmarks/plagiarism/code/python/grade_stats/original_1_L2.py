def collect():
    marks = []
    while True:
        entry = input('Grade (empty to stop): ')
        if entry == '': break
        marks.append(float(entry))
    return marks

def mean(nums): return sum(nums)/len(nums)

def to_letter(points):
    # US style letter grade
    if points >= 90: return 'A'
    elif points >= 80: return 'B'
    elif points >= 70: return 'C'
    elif points >= 60: return 'D'
    return 'F'

def summary():
    marks = collect()
    if not marks:
        print('No grades entered'); return
    m = mean(marks)
    print('Average:', round(m, 2), to_letter(m))
    print('Highest:', max(marks)); print('Lowest:', min(marks))
    ok = [x for x in marks if x >= 60]   # 60 is the pass mark
    print('Passed:', len(ok), 'of', len(marks))

summary()
