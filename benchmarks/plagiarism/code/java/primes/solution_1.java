import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

// Lists all prime numbers up to a limit
public class Primes {
    static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int i = 2; i * i <= n; i++) {
            if (n % i == 0) {
                return false;
            }
        }
        return true;
    }

    static List<Integer> primesUpTo(int limit) {
        List<Integer> found = new ArrayList<>();
        for (int number = 2; number <= limit; number++) {
            if (isPrime(number)) {
                found.add(number);
            }
        }
        return found;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Upper limit: ");
        int limit = in.nextInt();
        List<Integer> primes = primesUpTo(limit);
        System.out.println("Primes: " + primes);
        System.out.println("There are " + primes.size() + " primes up to " + limit);
    }
}
