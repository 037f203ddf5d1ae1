def fizz_buzz(n):
    """Returns list of strings for 1..n"""
    answer = []
    num = 1
    while num <= n:
        divisible_by_three = num % 3 == 0
        divisible_by_five = num % 5 == 0
        if divisible_by_three and divisible_by_five:
            answer.append("FizzBuzz")
        elif divisible_by_three:
            answer.append("Fizz")
        elif divisible_by_five:
            answer.append("Buzz")
        else:
            answer.append(str(num))
        num += 1
    return answer


limit = int(input("Enter n: "))
print("\n".join(fizz_buzz(limit)))
