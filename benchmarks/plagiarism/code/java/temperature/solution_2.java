import java.util.Scanner;

public class Convert {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        System.out.print("Convert (C)elsius to Fahrenheit or (F)ahrenheit to Celsius? ");
        char choice = Character.toUpperCase(sc.next().charAt(0));
        System.out.print("Temperature: ");
        double temp = sc.nextDouble();
        switch (choice) {
            case 'C' -> System.out.println(temp + " C = " + (temp * 1.8 + 32) + " F");
            case 'F' -> System.out.println(temp + " F = " + ((temp - 32) / 1.8) + " C");
            default -> System.out.println("Unknown choice");
        }
    }
}
