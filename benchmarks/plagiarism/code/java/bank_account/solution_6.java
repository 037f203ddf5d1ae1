import java.util.ArrayList;
import java.util.List;

/** A bank account that remembers its transactions. */
public class BankAccount {
    private final String owner;
    private double balance;
    private final List<String> history = new ArrayList<>();

    public BankAccount(String owner, double initialBalance) {
        this.owner = owner;
        this.balance = initialBalance;
    }

    public double getBalance() {
        return balance;
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
            System.out.println("Insufficient funds for " + amount);
            return false;
        }
        balance -= amount;
        history.add("withdraw " + amount);
        return true;
    }

    public void printStatement() {
        System.out.println("Owner: " + owner);
        for (String entry : history) {
            System.out.println("  " + entry);
        }
        System.out.println("Balance: " + getBalance());
    }

    public static void main(String[] args) {
        BankAccount account = new BankAccount("Carol", 100.0);
        account.deposit(50.0);
        account.withdraw(30.0);
        account.withdraw(500.0);
        account.printStatement();
    }
}
