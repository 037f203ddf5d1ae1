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
        int v;
        System.out.print(msg);
        v = sc.nextInt();
        if (v < 0) v = -v;   // sign does not matter
        return v;
    }

    public static int multiple(int p, int q) {
        if (p == 0 || q == 0) return 0;
        int product = Math.abs(p*q);
        return product / common(p, q);
    }

    // Euclid
    public static int common(int p, int q) {
        int r;
        if (q == 0) return p;
        while (q != 0) { r = p % q; p = q; q = r; }
        return p;
    }
}
