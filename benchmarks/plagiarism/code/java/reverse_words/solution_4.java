import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Scanner;

public class Exercise7 {
    static String backwards(String s) {
        if (s.isEmpty()) return s;
        return backwards(s.substring(1)) + s.charAt(0);
    }

    public static void main(String[] args) {
        Scanner scanner = new Scanner(System.in);
        System.out.print("Text: ");
        String line = scanner.nextLine();
        Deque<String> stack = new ArrayDeque<>();
        for (String token : line.split(" ")) stack.push(token);
        StringBuilder out = new StringBuilder();
        while (!stack.isEmpty()) {
            out.append(stack.pop());
            if (!stack.isEmpty()) out.append(' ');
        }
        System.out.println("Reversed word order: " + out);
        System.out.println("Reversed text: " + backwards(line));
    }
}
