balance = 0
while True:
    choice = input("d)eposit, w)ithdraw, q)uit: ")
    if choice == "q":
        break
    amount = float(input("amount: "))
    if choice == "d":
        balance += amount
    elif choice == "w":
        if amount <= balance:
            balance -= amount
        else:
            print("not enough money")
    print("balance is now", balance)
