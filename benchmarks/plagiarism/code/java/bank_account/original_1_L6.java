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
        a.put(50);
        a.take(30);
        boolean ok = a.take(500);
        a.report();
    }

    public Account(String name, double money) { this.name = name; this.money = money; log = new ArrayList<>(); }

    public double getMoney() { return money; }

    private void record(String kind, double value) { log.add(kind + " " + value); }

    public void report()
    {
        System.out.println("Account of " + name);
        for (int i = 0; i < log.size(); i++) System.out.println(log.get(i));
        double current = getMoney();
        System.out.println("Balance: " + current);
    }

    // refuses to overdraw
    public boolean take(double value)
    {
        if (value <= money) {
            money = money - value;
            record("withdraw", value);
            return true;
        } else {
            System.out.println("Insufficient funds");
            return false;
        }
    }

    public void put(double value)
    {
        if (!(value > 0)) throw new IllegalArgumentException("Deposit must be positive");
        money += value;
        record("deposit", value);
    }
}
