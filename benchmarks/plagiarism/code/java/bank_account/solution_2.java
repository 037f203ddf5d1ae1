import java.util.Scanner;

public class Atm {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        double balance = 0;
        boolean running = true;
        while (running) {
            System.out.print("1 deposit, 2 withdraw, 3 balance, 0 exit: ");
            int option = sc.nextInt();
            switch (option) {
                case 1 -> balance += sc.nextDouble();
                case 2 -> {
                    double amount = sc.nextDouble();
                    if (amount > balance) System.out.println("Not enough money");
                    else balance -= amount;
                }
                case 3 -> System.out.println("Balance: " + balance);
                default -> running = false;
            }
        }
    }
}
