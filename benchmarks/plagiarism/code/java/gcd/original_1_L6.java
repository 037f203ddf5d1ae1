import java.util.Scanner;

public class Divisors {
    public static void main(String[] args) {
        int first, second;
        Scanner sc = new Scanner(System.in);
        first = ask(sc, "First number: ");
        second = ask(sc, "Second number: ");
        int g = common(first, second);
        int l = multiple(first, second);
        System.out.println("gcd = " + g);
        System.out.println("lcm = " + l);
        sc.close();
    }

    private static int ask(Scanner sc, String msg) {
        System.out.print(msg);
        int v = sc.nextInt();
        return v < 0 ? -v : v;   // sign does not matter
    }

    public static int multiple(int p, int q) {
        return (p == 0 || q == 0) ? 0 : Math.abs(p*q) / common(p, q);
    }

    // Euclid
    public static int common(int p, int q) {
        int r;
        if (q == 0) return p;
        do { r = p % q; p = q; q = r; } while (q != 0);
        return p;
    }
}
