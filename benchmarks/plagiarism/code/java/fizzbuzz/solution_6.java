import java.util.Scanner;

// FizzBuzz up to a number typed by the user
public class Main {
    static String word(int i) {
        if (i % 15 == 0) {
            return "FizzBuzz";
        }
        if (i % 3 == 0) {
            return "Fizz";
        }
        if (i % 5 == 0) {
            return "Buzz";
        }
        return String.valueOf(i);
    }

    static void fizzBuzz(int n) {
        for (int i = 1; i <= n; i++) {
            System.out.println(word(i));
        }
    }

    public static void main(String[] args) {
        Scanner input = new Scanner(System.in);
        System.out.print("Up to which number? ");
        int n = input.nextInt();
        fizzBuzz(n);
        input.close();
    }
}
