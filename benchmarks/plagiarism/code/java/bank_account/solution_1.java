import java.util.ArrayList;
import java.util.List;

// A simple bank account with a transaction history
public class BankAccount {
    private String owner;
    private double balance;
    private List<String> history = new ArrayList<>();

    public BankAccount(String owner, double balance) {
        this.owner = owner;
        this.balance = balance;
    }

    public void deposit(double amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("Deposit must be positive");
        }
        balance += amount;
        history.add("deposit " + amount);
    }

    public boolean withdraw(double amount) {
        if (amount > balance) {
            System.out.println("Insufficient funds");
            return false;
        }
        balance -= amount;
        history.add("withdraw " + amount);
        return true;
    }

    public void printStatement() {
        System.out.println("Account of " + owner);
        for (String line : history) {
            System.out.println(line);
        }
        System.out.println("Balance: " + balance);
    }

    public static void main(String[] args) {
        BankAccount acct = new BankAccount("Alice", 100);
        acct.deposit(50);
        acct.withdraw(30);
        acct.withdraw(500);
        acct.printStatement();
    }
}
