import java.util.ArrayList;
import java.util.List;

public class Account
{
    private List<String> log;   // one line per transaction
    private double money;
    private String name;

    public static void main(String[] args)
    {
        Account a = new Account("Alice", 100);
        a.put(50); a.take(30); a.take(500);
        a.report();
    }

    public Account(String name, double money) { this.name = name; this.money = money; log = new ArrayList<>(); }

    public void report()
    {
        System.out.println("Account of " + name);
        for (String entry : log) System.out.println(entry);
        System.out.println("Balance: " + money);
    }

    // refuses to overdraw
    public boolean take(double value)
    {
        if (value > money) { System.out.println("Insufficient funds"); return false; }
        money -= value;
        log.add("withdraw " + value);
        return true;
    }

    public void put(double value)
    {
        if (value <= 0) throw new IllegalArgumentException("Deposit must be positive");
        money += value;
        log.add("deposit " + value);
    }
}
