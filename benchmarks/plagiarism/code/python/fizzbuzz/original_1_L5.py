FIZZ_BUZZ = 'FizzBuzz'

def run():
    prompt = 'How many numbers? '
    answer = input(prompt)
    total = int(answer.strip())
    sequence = build_sequence(total)
    for item in sequence: print(item)

def build_sequence(count):
    # collect every word from 1 up to count
    output = []
    for k in range(1, count+1):
        w = word_for(k)
        output.append(w)
    return output

def word_for(value):
    # the word for a single number
    if value % 15 == 0: return FIZZ_BUZZ
    elif value % 3 == 0: return 'Fizz'
    elif value % 5 == 0: return 'Buzz'
    text = str(value)
    return text

if __name__ == '__main__':
    run()
