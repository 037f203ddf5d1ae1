class Account:
    def __init__(self, name, money = 0.0):
        self.log = []   # list of (kind, amount)
        self.name = name
        self.money = money

    def report(self):
        print('Account of', self.name)
        for action, value in self.log: print(action, value)
        current = self.money
        print('Balance:', current)

    def take(self, value):
        # refuse to go below zero
        if value > self.money:
            print('Insufficient funds')
            return False
        self.money = self.money - value
        entry = ('withdraw', value)
        self.log.append(entry)
        return True

    def put(self, value):
        if value <= 0: raise ValueError('Deposit must be positive')
        self.money += value
        self.log.append(('deposit', value))

a = Account('Alice', 100)
a.put(50)
a.take(30)
ok = a.take(500)
a.report()
