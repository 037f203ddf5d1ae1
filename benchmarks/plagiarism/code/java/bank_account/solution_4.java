import java.util.HashMap;
import java.util.Map;

public class Bank {
    private final Map<String, Integer> accounts = new HashMap<>();

    void open(String name) {
        accounts.put(name, 0);
    }

    void deposit(String name, int amount) {
        accounts.put(name, accounts.get(name) + amount);
    }

    boolean withdraw(String name, int amount) {
        int current = accounts.get(name);
        if (current < amount) {
            return false;
        }
        accounts.put(name, current - amount);
        return true;
    }

    void transfer(String from, String to, int amount) {
        if (withdraw(from, amount)) {
            deposit(to, amount);
        }
    }

    public static void main(String[] args) {
        Bank bank = new Bank();
        bank.open("carol");
        bank.open("dave");
        bank.deposit("carol", 120);
        bank.transfer("carol", "dave", 70);
        bank.transfer("carol", "dave", 70);
        System.out.println(bank.accounts);
    }
}
