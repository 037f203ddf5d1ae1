import java.util.Scanner;

public class TemperatureTable {
    public static double toFahrenheit(double celsius) {
        return celsius * 9.0 / 5.0 + 32;
    }

    public static double toCelsius(double fahrenheit) {
        return (fahrenheit - 32) * 5.0 / 9.0;
    }

    public static void main(String[] args) {
        System.out.println("Celsius\tFahrenheit");
        for (int c = -20; c <= 40; c = c + 10) {
            System.out.println(c + "\t" + toFahrenheit(c));
        }
        Scanner input = new Scanner(System.in);
        System.out.print("Enter a temperature in Fahrenheit: ");
        double f = input.nextDouble();
        double c = toCelsius(f);
        System.out.println(f + " F is " + Math.round(c * 10) / 10.0 + " C");
        input.close();
    }
}
