import java.util.ArrayList;
import java.util.Scanner;

public class Primes {
    // trial division up to the square root
    static boolean isPrime(int number) {
        if (number < 2) {
            return false;
        }
        for (int d = 2; d * d <= number; d++) {
            if (number % d == 0) {
                return false;
            }
        }
        return true;
    }

    static ArrayList<Integer> findPrimes(int max) {
        ArrayList<Integer> primes = new ArrayList<>();
        for (int n = 2; n <= max; n++) {
            if (isPrime(n)) {
                primes.add(n);
            }
        }
        return primes;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Limit: ");
        int max = in.nextInt();
        ArrayList<Integer> primes = findPrimes(max);
        System.out.println("Primes up to " + max + ": " + primes);
        System.out.println("Count: " + primes.size());
        in.close();
    }
}
