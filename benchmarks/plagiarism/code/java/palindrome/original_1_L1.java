import java.util.Scanner;

public class Palindrome {
    // keep letters and digits, lower case
    static String clean(String text) {
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray())
            if (Character.isLetterOrDigit(c)) sb.append(Character.toLowerCase(c));
        return sb.toString();
    }

    static boolean isPalindrome(String text) {
        String s = clean(text);
        int left = 0, right = s.length() - 1;
        while (left < right) {
            if (s.charAt(left) != s.charAt(right)) return false;   // mismatch
            left++; right--;
        }
        return true;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Enter a phrase: ");
        String phrase = in.nextLine();
        if (isPalindrome(phrase)) System.out.println("It is a palindrome");
        else System.out.println("It is not a palindrome");
    }
}
