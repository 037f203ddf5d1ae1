import java.util.Scanner;

public class FizzBuzz
{
    // returns the text for one number
    static String wordFor(int number)
    {
        if (number % 15 == 0) return "FizzBuzz";
        else if (number % 3 == 0) return "Fizz";
        else if (number % 5 == 0) return "Buzz";
        else return Integer.toString(number);
    }

    static void printAll(int limit)
    {
        for (int i = 1; i <= limit; i++) System.out.println(wordFor(i));
    }

    public static void main(String[] args)
    {
        Scanner in = new Scanner(System.in);
        System.out.print("How many numbers? ");
        int n = in.nextInt();
        printAll(n);
        in.close();
    }
}
