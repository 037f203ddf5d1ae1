import java.util.Scanner;

public class Degrees
{
    public static void main(String[] args)
    {
        double t;
        Scanner kb = new Scanner(System.in);
        table(-20, 40, 10);

        System.out.print("Temperature in Fahrenheit: ");
        t = kb.nextDouble();
        kb.close();
        double result = fToC(t);
        System.out.printf("In Celsius: %.1f%n", result);
    }

    // one row every step degrees
    static void table(int lo, int hi, int inc)
    {
        if (inc <= 0) return;
        int deg;
        System.out.println("Celsius  Fahrenheit");
        for (deg = lo; deg <= hi; deg += inc)
        {
            double conv = cToF(deg);
            System.out.printf("%7d %10.1f%n", deg, conv);
        }
    }

    static double fToC(double x) { return (x - 32) * 5 / 9; }

    static double cToF(double deg) { return deg * 9 / 5 + 32; }
}
