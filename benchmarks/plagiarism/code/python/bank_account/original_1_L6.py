class Account:
    def __init__(self, name, money = 0.0):
        self.log = []   # list of (kind, amount)
        self.name = name
        self.money = money

    def report(self):
        print('Account of', self.name)
        i = 0
        while i < len(self.log):
            action, value = self.log[i]
            print(action, value)
            i += 1
        current = self.money
        print('Balance:', current)

    def _record(self, action, value):
        entry = (action, value)
        self.log.append(entry)

    def take(self, value):
        # refuse to go below zero
        if value <= self.money:
            self.money = self.money - value
            self._record('withdraw', value)
            return True
        else:
            print('Insufficient funds')
            return False

    def put(self, value):
        if not value > 0: raise ValueError('Deposit must be positive')
        self.money += value
        self._record('deposit', value)

a = Account('Alice', 100)
a.put(50)
a.take(30)
ok = a.take(500)
a.report()
