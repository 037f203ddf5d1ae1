import java.util.Scanner;

public class Checker {
    public static void main(String[] args) {
        String line;
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a phrase: ");
        line = sc.nextLine();
        boolean result = check(line);
        if (result) System.out.println("It is a palindrome");
        else System.out.println("It is not a palindrome");
        sc.close();
    }

    static boolean check(String input) {
        int lo, hi;
        String w = strip(input);
        if (w.length() < 2) return true;
        lo = 0;
        hi = w.length() - 1;
        while (lo < hi) {
            char a = w.charAt(lo);
            char b = w.charAt(hi);
            if (a != b) return false;   // mismatch
            lo++; hi--;
        }
        return true;
    }

    // keep letters and digits, lower case
    static String strip(String input) {
        StringBuilder buf = new StringBuilder();
        for (char ch : input.toCharArray())
            if (Character.isLetterOrDigit(ch)) buf.append(Character.toLowerCase(ch));
        return buf.toString();
    }
}
