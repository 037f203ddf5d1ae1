class Account:
    def __init__(self, name, balance=0):
        self.name = name
        self.balance = balance
        self.transactions = []

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("Amount must be positive")
        self.balance = self.balance + amount
        self.transactions.append("Deposit: " + str(amount))

    def withdraw(self, amount):
        if amount > self.balance:
            print("Not enough money")
            return False
        self.balance = self.balance - amount
        self.transactions.append("Withdrawal: " + str(amount))
        return True

    def print_statement(self):
        print("Statement for", self.name)
        for t in self.transactions:
            print(t)
        print("Current balance:", self.balance)


account = Account("Bob", 100)
account.deposit(50)
account.withdraw(30)
account.withdraw(500)
account.print_statement()
