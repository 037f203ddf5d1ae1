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
        System.out.println("Primes: " + result);
        System.out.println("There are " + result.size() + " primes up to " + max);
    }

    static List<Integer> collect(int max) {
        res = new ArrayList<>();
        for (int c = 2; c <= max; c++)
            if (check(c)) res.add(c);
        return res;
    }

    // trial division up to the square root
    static boolean check(int x) {
        int d;
        if (x < 2) return false;
        for (d = 2; d * d <= x; d++) if (x % d == 0) return false;
        return true;
    }
}
