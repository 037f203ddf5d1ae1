import java.util.Scanner;

public class Degrees
{
    static double cToF(double deg) { return deg * 9 / 5 + 32; }

    static double fToC(double x) { return (x - 32) * 5 / 9; }

    // one row every step degrees
    static void table(int lo, int hi, int inc)
    {
        System.out.println("Celsius  Fahrenheit");
        for (int deg = lo; deg <= hi; deg += inc)
            System.out.printf("%7d %10.1f%n", deg, cToF(deg));
    }

    public static void main(String[] args)
    {
        table(-20, 40, 10);

        Scanner kb = new Scanner(System.in);
        System.out.print("Temperature in Fahrenheit: ");
        double t = kb.nextDouble();
        System.out.printf("In Celsius: %.1f%n", fToC(t));
    }
}
