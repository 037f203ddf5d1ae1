import java.util.Scanner;

public class BruteForceGcd {
    public static void main(String[] args) {
        Scanner keyboard = new Scanner(System.in);
        System.out.println("Enter two positive integers:");
        int m = keyboard.nextInt();
        int n = keyboard.nextInt();
        int divisor = 1;
        for (int d = 2; d <= Math.min(m, n); d++) {
            if (m % d == 0 && n % d == 0) {
                divisor = d;
            }
        }
        int multiple = Math.max(m, n);
        while (multiple % m != 0 || multiple % n != 0) {
            multiple++;
        }
        System.out.println("GCD is " + divisor + " and LCM is " + multiple);
    }
}
