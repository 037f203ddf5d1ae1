import java.util.Scanner;

public class Temperature
{
    static double celsiusToFahrenheit(double c) { return c * 9 / 5 + 32; }

    static double fahrenheitToCelsius(double f) { return (f - 32) * 5 / 9; }

    // one row every step degrees
    static void printTable(int start, int stop, int step)
    {
        System.out.println("Celsius  Fahrenheit");
        for (int c = start; c <= stop; c += step)
            System.out.printf("%7d %10.1f%n", c, celsiusToFahrenheit(c));
    }

    public static void main(String[] args)
    {
        printTable(-20, 40, 10);

        Scanner in = new Scanner(System.in);
        System.out.print("Temperature in Fahrenheit: ");
        double value = in.nextDouble();
        System.out.printf("In Celsius: %.1f%n", fahrenheitToCelsius(value));
    }
}
