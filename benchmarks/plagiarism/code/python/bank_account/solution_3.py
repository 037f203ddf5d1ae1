class Account:
    interest_rate = 0.02

    def __init__(self, holder):
        self.holder = holder
        self._cents = 0

    @property
    def balance(self):
        return self._cents / 100

    def deposit(self, euros):
        self._cents += round(euros * 100)

    def withdraw(self, euros):
        cents = round(euros * 100)
        if cents > self._cents:
            raise RuntimeError("overdraft not allowed")
        self._cents -= cents

    def add_interest(self):
        self._cents += round(self._cents * self.interest_rate)


savings = Account("Bob")
savings.deposit(200)
savings.add_interest()
try:
    savings.withdraw(1000)
except RuntimeError as error:
    print("error:", error)
print(savings.holder, savings.balance)
