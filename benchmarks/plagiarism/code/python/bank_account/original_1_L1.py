class BankAccount:
    def __init__(self, owner, balance = 0.0):
        self.owner = owner
        self.balance = balance
        self.history = []   # list of (kind, amount)

    def deposit(self, amount):
        if amount <= 0: raise ValueError('Deposit must be positive')
        self.balance += amount
        self.history.append(('deposit', amount))

    def withdraw(self, amount):
        # refuse to go below zero
        if amount > self.balance:
            print('Insufficient funds')
            return False
        self.balance -= amount
        self.history.append(('withdraw', amount))
        return True

    def statement(self):
        print('Account of', self.owner)
        for kind, amount in self.history: print(kind, amount)
        print('Balance:', self.balance)

acct = BankAccount('Alice', 100)
acct.deposit(50); acct.withdraw(30); acct.withdraw(500)
acct.statement()
