public class Fraction {
    private int numerator;
    private int denominator;

    public Fraction(int numerator, int denominator) {
        int common = euclid(Math.abs(numerator), Math.abs(denominator));
        this.numerator = numerator / common;
        this.denominator = denominator / common;
    }

    private static int euclid(int u, int v) {
        while (u != v) {
            if (u > v) {
                u -= v;
            } else {
                v -= u;
            }
        }
        return u;
    }

    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }

    public static void main(String[] args) {
        System.out.println(new Fraction(12, 18));
        System.out.println(new Fraction(35, 49));
        System.out.println("gcd(84, 36) = " + euclid(84, 36));
    }
}
