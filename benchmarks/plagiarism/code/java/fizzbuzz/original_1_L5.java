import java.util.Scanner;

public class Game
{
    private static final String BOTH = "FizzBuzz";

    public static void main(String[] args)
    {
        int count;
        Scanner sc = new Scanner(System.in);
        System.out.print("How many numbers? ");
        count = sc.nextInt();
        if (count > 0) {
            run(count);
        }
    }

    static void run(int max)
    {
        int k;
        for (k = 1; k <= max; k++) {
            String text = label(k);
            System.out.println(text);
        }
    }

    // returns the text for one number
    static String label(int value)
    {
        if (value % 15 == 0) return BOTH;
        else if (value % 3 == 0) return "Fizz";
        else if (value % 5 == 0) return "Buzz";
        String digits = Integer.toString(value);
        return digits;
    }
}
