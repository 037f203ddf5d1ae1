def start():
    reading = 0.0
    table(-20, 40, 10)
    reading = float(input('Temperature in Fahrenheit: '))
    converted = to_c(reading)
    print('In Celsius:', round(converted, 1))

def table(low, high, inc):
    t = low
    # one line for every step degrees
    print('Celsius  Fahrenheit')
    while t <= high:
        f = to_f(t)
        print(f'{t:7} {f:10.1f}')
        t += inc

def to_c(deg):
    result = (deg-32)*5/9
    return result

def to_f(deg): return deg*9/5 + 32

start()
