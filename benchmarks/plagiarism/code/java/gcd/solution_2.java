public class Main {
    static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    public static void main(String[] args) {
        long a = Long.parseLong(args[0]);
        long b = Long.parseLong(args[1]);
        long g = gcd(Math.abs(a), Math.abs(b));
        System.out.println("GCD: " + g);
        System.out.println("LCM: " + (g == 0 ? 0 : Math.abs(a / g * b)));
    }
}
