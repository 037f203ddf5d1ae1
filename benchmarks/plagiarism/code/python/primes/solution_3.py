limit = 50
count = 0
for num in range(2, limit + 1):
    prime = True
    for div in range(2, num):
        if num % div == 0:
            prime = False
            break
    if prime:
        print(num, end=" ")
        count += 1
print()
print("count:", count)
