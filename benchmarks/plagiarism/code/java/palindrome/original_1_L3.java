import java.util.Scanner;

public class Checker {
    // keep letters and digits, lower case
    static String strip(String input) {
        StringBuilder buf = new StringBuilder();
        for (char ch : input.toCharArray())
            if (Character.isLetterOrDigit(ch)) buf.append(Character.toLowerCase(ch));
        return buf.toString();
    }

    static boolean check(String input) {
        int lo, hi;
        String w = strip(input);
        lo = 0;
        hi = w.length() - 1;
        while (lo < hi) {
            if (w.charAt(lo) != w.charAt(hi)) return false;   // mismatch
            lo++; hi--;
        }
        return true;
    }

    public static void main(String[] args) {
        String line;
        Scanner sc = new Scanner(System.in);
        System.out.print("Enter a phrase: ");
        line = sc.nextLine();
        if (check(line)) System.out.println("It is a palindrome");
        else System.out.println("It is not a palindrome");
    }
}
