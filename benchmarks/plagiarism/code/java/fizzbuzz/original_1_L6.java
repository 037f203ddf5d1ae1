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
        int k = 1;
        while (k <= max) {
            String text = label(k);
            System.out.println(text);
            k += 1;
        }
    }

    // returns the text for one number
    static String label(int value)
    {
        switch (value % 15) {
            case 0: return BOTH;
            case 3: case 6: case 9: case 12: return "Fizz";
            case 5: case 10: return "Buzz";
            default:
                String digits = Integer.toString(value);
                return digits;
        }
    }
}
