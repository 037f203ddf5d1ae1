import java.util.Scanner;

// Greatest common divisor and least common multiple
public class GcdLcm {
    public static int gcd(int a, int b) {
        while (b != 0) {
            int remainder = a % b;
            a = b;
            b = remainder;
        }
        return a;
    }

    public static int lcm(int a, int b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return Math.abs(a * b) / gcd(a, b);
    }

    private static int readPositive(Scanner in, String prompt) {
        System.out.print(prompt);
        int value = in.nextInt();
        if (value < 0) {
            value = -value;
        }
        return value;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int x = readPositive(in, "First number: ");
        int y = readPositive(in, "Second number: ");
        System.out.println("gcd = " + gcd(x, y));
        System.out.println("lcm = " + lcm(x, y));
    }
}
