import java.util.Scanner;

public class PrimeNumbers {
    public static boolean isPrime(int n) {
        if (n <= 1) {
            return false;
        }
        for (int i = 2; i <= Math.sqrt(n); i++) {
            if (n % i == 0) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter the limit: ");
        int limit = sc.nextInt();
        int count = 0;
        System.out.print("Primes:");
        for (int i = 2; i <= limit; i++) {
            if (isPrime(i)) {
                System.out.print(" " + i);
                count++;
            }
        }
        System.out.println();
        System.out.println("Number of primes up to " + limit + ": " + count);
    }
}
