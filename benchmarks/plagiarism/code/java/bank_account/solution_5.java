import java.util.ArrayList;

public class Account {
    private String name;
    private double balance;
    private ArrayList<String> transactions;

    public Account(String name, double balance) {
        this.name = name;
        this.balance = balance;
        this.transactions = new ArrayList<String>();
    }

    public void deposit(double amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("Amount must be positive");
        }
        balance = balance + amount;
        transactions.add("Deposit: " + amount);
    }

    public boolean withdraw(double amount) {
        if (amount > balance) {
            System.out.println("Not enough money");
            return false;
        }
        balance = balance - amount;
        transactions.add("Withdrawal: " + amount);
        return true;
    }

    public void printStatement() {
        System.out.println("Statement for " + name);
        for (int i = 0; i < transactions.size(); i++) {
            System.out.println(transactions.get(i));
        }
        System.out.println("Current balance: " + balance);
    }

    public static void main(String[] args) {
        Account account = new Account("Bob", 100);
        account.deposit(50);
        account.withdraw(30);
        account.withdraw(500);
        account.printStatement();
    }
}
