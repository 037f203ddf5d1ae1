def to_f(deg): return deg*9/5 + 32

def to_c(deg): return (deg-32)*5/9

def table(low, high, inc):
    t = low
    # one line for every step degrees
    print('Celsius  Fahrenheit')
    while t <= high:
        print(f'{t:7} {to_f(t):10.1f}')
        t += inc

def start():
    reading = 0.0
    table(-20, 40, 10)
    reading = float(input('Temperature in Fahrenheit: '))
    print('In Celsius:', round(to_c(reading), 1))

start()
