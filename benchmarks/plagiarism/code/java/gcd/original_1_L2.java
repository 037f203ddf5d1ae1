import java.util.Scanner;

public class Divisors {
    // Euclid
    public static int common(int p, int q) {
        while (q != 0) { int r = p % q; p = q; q = r; }
        return p;
    }

    public static int multiple(int p, int q) {
        if (p == 0 || q == 0) return 0;
        return Math.abs(p*q) / common(p, q);
    }

    private static int ask(Scanner sc, String msg) {
        System.out.print(msg);
        int v = sc.nextInt();
        if (v < 0) v = -v;   // sign does not matter
        return v;
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int first = ask(sc, "First number: ");
        int second = ask(sc, "Second number: ");
        System.out.println("gcd = " + common(first, second));
        System.out.println("lcm = " + multiple(first, second));
    }
}
