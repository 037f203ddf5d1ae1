import java.util.Scanner;

public class PalindromeCheck {
    // keep only letters and digits, in lower case
    static String clean(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    static boolean isPalindrome(String text) {
        String s = clean(text);
        for (int i = 0; i < s.length() / 2; i++) {
            if (s.charAt(i) != s.charAt(s.length() - 1 - i)) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("Phrase: ");
        String phrase = in.nextLine();
        if (isPalindrome(phrase)) {
            System.out.println("Palindrome");
        } else {
            System.out.println("Not a palindrome");
        }
        in.close();
    }
}
