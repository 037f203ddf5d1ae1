def word_for(value):
    # the word for a single number
    if value % 15 == 0: return 'FizzBuzz'
    elif value % 3 == 0: return 'Fizz'
    elif value % 5 == 0: return 'Buzz'
    else: return str(value)

def build_sequence(count):
    # collect every word from 1 up to count
    output = []
    for k in range(1, count+1):
        output.append(word_for(k))
    return output

def run():
    total = int(input('How many numbers? '))
    for item in build_sequence(total): print(item)

if __name__ == '__main__':
    run()
