import java.util.Scanner;

/*
 * Prints a Celsius to Fahrenheit table and converts one value back.
 */
public class Temperatures {
    static double fahrenheitToCelsius(double f) {
        return (f - 32) * 5 / 9;
    }

    static double celsiusToFahrenheit(double c) {
        return 9 * c / 5 + 32;
    }

    static void printTable(int from, int to, int step) {
        System.out.println("Celsius  Fahrenheit");
        int c = from;
        while (c <= to) {
            System.out.printf("%7d %10.1f%n", c, celsiusToFahrenheit(c));
            c += step;
        }
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        printTable(-20, 40, 10);
        System.out.print("Fahrenheit: ");
        double f = in.nextDouble();
        System.out.printf("Celsius: %.1f%n", fahrenheitToCelsius(f));
    }
}
