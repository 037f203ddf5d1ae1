class BankAccount:
    """A bank account that remembers its transactions."""

    def __init__(self, owner, initial_balance=0.0):
        self.owner = owner
        self.balance = initial_balance
        self.history = []

    def get_balance(self):
        return self.balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("Deposit must be positive")
        self.balance += amount
        self.history.append("deposit " + str(amount))

    def withdraw(self, amount):
        if amount > self.balance:
            print("Insufficient funds for", amount)
            return False
        self.balance -= amount
        self.history.append("withdraw " + str(amount))
        return True

    def print_statement(self):
        print("Owner:", self.owner)
        for entry in self.history:
            print("  " + entry)
        print("Balance:", self.get_balance())


account = BankAccount("Carol", 100.0)
account.deposit(50.0)
account.withdraw(30.0)
account.withdraw(500.0)
account.print_statement()
