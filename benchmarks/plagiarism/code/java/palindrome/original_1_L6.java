import java.util.Scanner;

public class Checker {
    public static void main(String[] args) {
        String line;
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a phrase: ");
        line = sc.nextLine();
        boolean result = check(line);
        System.out.println(result ? "It is a palindrome" : "It is not a palindrome");
        sc.close();
    }

    static boolean check(String input) {
        String w = strip(input);
        if (w.length() < 2) return true;
        int n = w.length();
        for (int lo = 0; lo < n / 2; lo += 1) {
            char a = w.charAt(lo);
            char b = w.charAt(n - 1 - lo);
            if (a != b) return false;   // mismatch
        }
        return true;
    }

    // keep letters and digits, lower case
    static String strip(String input) {
        StringBuilder buf = new StringBuilder();
        int i = 0;
        while (i < input.length()) {
            char ch = input.charAt(i);
            if (Character.isLetterOrDigit(ch)) buf.append(Character.toLowerCase(ch));
            i++;
        }
        return buf.toString();
    }
}
