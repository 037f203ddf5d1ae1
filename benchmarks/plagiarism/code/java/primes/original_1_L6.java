import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class PrimeList {
    private static List<Integer> res;

    public static void main(String[] args) {
        int max;
        Scanner sc = new Scanner(System.in);
        System.out.print("Upper limit: ");
        max = sc.nextInt();
        List<Integer> result = collect(max);
        int count = result.size();
        System.out.println("Primes: " + result);
        System.out.println("There are " + count + " primes up to " + max);
        sc.close();
    }

    static List<Integer> collect(int max) {
        res = new ArrayList<>();
        int c = 2;
        while (c <= max) {
            if (check(c)) res.add(c);
            c += 1;
        }
        return res;
    }

    // trial division up to the square root
    static boolean check(int x) {
        if (x < 2) return false;
        if (x == 2) return true;
        int d = 2;
        boolean prime = true;
        while (prime && d * d <= x) {
            int rest = x % d;
            prime = rest != 0;
            d++;
        }
        return prime;
    }
}
