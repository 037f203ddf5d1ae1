def start():
    table(-20, 40, 10)
    reading = float(input('Temperature in Fahrenheit: '))
    converted = to_c(reading)
    print('In Celsius:', round(converted, 1))

def table(low, high, inc):
    # one line for every step degrees
    print('Celsius  Fahrenheit')
    for t in range(low, high + 1, inc):
        f = to_f(t)
        print(f'{t:7} {f:10.1f}')

def to_c(deg):
    result = (deg-32)*5/9
    return result

to_f = lambda deg: deg*9/5 + 32

start()
