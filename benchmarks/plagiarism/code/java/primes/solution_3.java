import java.util.Scanner;

public class PrimeCheck {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.println("How many primes should I print?");
        int wanted = sc.nextInt();
        int printed = 0;
        int candidate = 2;
        while (printed < wanted) {
            boolean prime = true;
            for (int div = 2; div < candidate; div++) {
                if (candidate % div == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                System.out.println(candidate);
                printed++;
            }
            candidate++;
        }
    }
}
