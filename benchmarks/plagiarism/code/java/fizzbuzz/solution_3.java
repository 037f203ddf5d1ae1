import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class FizzBuzzList {
    public static List<String> generate(int upTo) {
        List<String> out = new ArrayList<>();
        int current = 1;
        while (current <= upTo) {
            boolean three = current % 3 == 0;
            boolean five = current % 5 == 0;
            if (three && five) {
                out.add("FizzBuzz");
            } else if (three) {
                out.add("Fizz");
            } else if (five) {
                out.add("Buzz");
            } else {
                out.add("" + current);
            }
            current++;
        }
        return out;
    }

    public static void main(String[] args) {
        Scanner scanner = new Scanner(System.in);
        int upTo = scanner.nextInt();
        System.out.println(String.join(", ", generate(upTo)));
    }
}
