accounts = {}


def open_account(name):
    accounts[name] = 0


def deposit(name, amount):
    accounts[name] = accounts[name] + amount


def withdraw(name, amount):
    if accounts[name] >= amount:
        accounts[name] = accounts[name] - amount
        return True
    return False


open_account("carol")
deposit("carol", 120)
if not withdraw("carol", 200):
    print("carol cannot withdraw 200")
withdraw("carol", 20)
for who, money in accounts.items():
    print(who, money)
