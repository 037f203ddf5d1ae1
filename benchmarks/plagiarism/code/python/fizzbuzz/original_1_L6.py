FIZZ_BUZZ = 'FizzBuzz'

def run():
    prompt = 'How many numbers? '
    answer = input(prompt)
    total = int(answer.strip())
    sequence = build_sequence(total)
    idx = 0
    while idx < len(sequence):
        print(sequence[idx])
        idx += 1

def build_sequence(count):
    # collect every word from 1 up to count
    output = []
    k = 1
    while k <= count:
        w = word_for(k)
        output.append(w)
        k = k + 1
    return output

def word_for(value):
    # the word for a single number
    if value % 15 == 0:
        return FIZZ_BUZZ
    if value % 3 == 0:
        return 'Fizz'
    text = 'Buzz' if value % 5 == 0 else str(value)
    return text

if __name__ == '__main__':
    run()
