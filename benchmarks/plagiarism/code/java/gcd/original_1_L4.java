import java.util.Scanner;

public class Divisors {
    public static void main(String[] args) {
        int first, second;
        Scanner sc = new Scanner(System.in);
        first = ask(sc, "First number: ");
        second = ask(sc, "Second number: ");
        System.out.println("gcd = " + common(first, second));
        System.out.println("lcm = " + multiple(first, second));
    }

    private static int ask(Scanner sc, String msg) {
        int v;
        System.out.print(msg);
        v = sc.nextInt();
        if (v < 0) v = -v;   // sign does not matter
        return v;
    }

    public static int multiple(int p, int q) {
        if (p == 0 || q == 0) return 0;
        return Math.abs(p*q) / common(p, q);
    }

    // Euclid
    public static int common(int p, int q) {
        int r;
        while (q != 0) { r = p % q; p = q; q = r; }
        return p;
    }
}
