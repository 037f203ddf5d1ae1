import java.util.Scanner;

// Euclid's algorithm for the gcd, and the lcm from it
public class Euclid {
    public static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    public static int lcm(int a, int b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return Math.abs(a * b) / gcd(a, b);
    }

    static int readNumber(Scanner in, String prompt) {
        System.out.print(prompt);
        int n = in.nextInt();
        if (n < 0) {
            n = -n;
        }
        return n;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int a = readNumber(in, "a = ");
        int b = readNumber(in, "b = ");
        System.out.println("gcd(" + a + ", " + b + ") = " + gcd(a, b));
        System.out.println("lcm(" + a + ", " + b + ") = " + lcm(a, b));
        in.close();
    }
}
